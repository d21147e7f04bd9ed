package dev.fanout.samples.cli;

/**
 * Terminal styling for the samples' output: ANSI bold and colours when writing to a terminal, plain text
 * otherwise (pipes, files, tests) or when {@code NO_COLOR} is set.
 */
public final class Style {
  private static final Style PLAIN = new Style(false);
  private static final Style ANSI = new Style(true);

  private final boolean ansi;

  private Style(boolean ansi) {
    this.ansi = ansi;
  }

  /** Returns ANSI styling if standard output is a terminal that takes it, plain text otherwise. */
  public static Style detect() {
    String term = System.getenv("TERM");
    boolean tty = System.console() != null && System.getenv("NO_COLOR") == null
        && (term == null || !term.equals("dumb"));
    return tty ? ANSI : PLAIN;
  }

  public static Style plain() {
    return PLAIN;
  }

  public String bold(String s) {
    return wrap("1", s);
  }

  public String dim(String s) {
    return wrap("2", s);
  }

  public String red(String s) {
    return wrap("31", s);
  }

  public String green(String s) {
    return wrap("32", s);
  }

  public String yellow(String s) {
    return wrap("33", s);
  }

  public String cyan(String s) {
    return wrap("36", s);
  }

  /** Colours {@code s} with the colour of mode number {@code index}, as the timeline does. */
  public String mode(int index, String s) {
    String[] codes = {"38;5;33", "38;5;98", "38;5;36", "38;5;208"};
    return wrap(codes[index % codes.length], s);
  }

  private String wrap(String code, String s) {
    return ansi ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
  }
}
