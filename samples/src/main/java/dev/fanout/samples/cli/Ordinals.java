package dev.fanout.samples.cli;

/** English ordinals: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 101st, 111th. */
public final class Ordinals {
  private Ordinals() {}

  public static String of(long n) {
    long lastTwo = Math.abs(n) % 100;
    if (lastTwo >= 11 && lastTwo <= 13) {
      return n + "th";
    }
    return switch ((int) (Math.abs(n) % 10)) {
      case 1 -> n + "st";
      case 2 -> n + "nd";
      case 3 -> n + "rd";
      default -> n + "th";
    };
  }
}
