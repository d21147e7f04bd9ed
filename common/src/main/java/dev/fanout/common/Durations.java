package dev.fanout.common;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of every Fanout module: command-line flags ({@code --latency 1.5s}), builder
 * strings, and the reset times rate-limited APIs publish ({@code x-ratelimit-reset-requests: 6m0s}).
 *
 * <p>A duration is {@code 0}, or one or more number-and-unit parts written together, Go's
 * {@code time.ParseDuration} style: {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 2m}, {@code 1h},
 * {@code 6m0s}, {@code 1m30.5s}, {@code 100us}, {@code 20ns}. Units are {@code ns}, {@code us} (or
 * {@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}, in any case. An ISO-8601 duration such as
 * {@code PT1S} is accepted too. A bare number other than 0 is rejected, because its unit would be a guess;
 * so is a negative value.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private Durations() {}

  /**
   * Parses {@code text} (surrounding white space ignored).
   *
   * @throws IllegalArgumentException naming {@code text} if it is not a duration in this grammar
   */
  public static Duration parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("duration == null");
    }
    String s = text.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("invalid duration: '' (expected e.g. 0, 250ms, 1s, 1.5s, 2m, 6m0s)");
    }
    if (s.toUpperCase(Locale.ROOT).startsWith("PT") || s.toUpperCase(Locale.ROOT).startsWith("P")
        && s.toUpperCase(Locale.ROOT).contains("T")) {
      try {
        Duration d = Duration.parse(s);
        if (d.isNegative()) {
          throw new IllegalArgumentException("invalid duration: '" + text + "' is negative");
        }
        return d;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("invalid duration: '" + text + "' (not an ISO-8601 duration)");
      }
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    String lower = s.toLowerCase(Locale.ROOT);
    Matcher m = PART.matcher(lower);
    BigDecimal nanos = BigDecimal.ZERO;
    int at = 0;
    while (at < lower.length()) {
      if (!m.find(at) || m.start() != at) {
        throw invalid(text, lower, at);
      }
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit(m.group(2)))));
      at = m.end();
    }
    if (nanos.compareTo(MAX_NANOS) > 0) {
      throw new IllegalArgumentException("invalid duration: '" + text + "' is too long");
    }
    return Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
  }

  /**
   * Formats {@code d} in this grammar, compactly and so that {@link #parse} reads it back: {@code 0},
   * {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 2m}, {@code 1m30s}, {@code 100us}.
   */
  public static String format(Duration d) {
    if (d == null) {
      throw new IllegalArgumentException("duration == null");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("duration < 0: " + d);
    }
    if (d.isZero()) {
      return "0";
    }
    long seconds = d.getSeconds();
    int nano = d.getNano();
    if (nano == 0) {
      long h = seconds / 3600;
      long m = (seconds % 3600) / 60;
      long sec = seconds % 60;
      StringBuilder b = new StringBuilder();
      if (h > 0) {
        b.append(h).append('h');
      }
      if (m > 0) {
        b.append(m).append('m');
      }
      if (sec > 0) {
        b.append(sec).append('s');
      }
      return b.toString();
    }
    if (seconds == 0) {
      if (nano % 1_000_000 == 0) {
        return (nano / 1_000_000) + "ms";
      }
      if (nano % 1_000 == 0) {
        return (nano / 1_000) + "us";
      }
      return nano + "ns";
    }
    BigDecimal secs = BigDecimal.valueOf(seconds).add(BigDecimal.valueOf(nano, 9)).stripTrailingZeros();
    return secs.toPlainString() + "s";
  }

  /**
   * Returns {@code d} if it is non-null and not negative.
   *
   * @throws IllegalArgumentException {@code "name == null"} or {@code "name < 0: PT-1S"}
   */
  public static Duration requireNonNegative(Duration d, String name) {
    if (d == null) {
      throw new IllegalArgumentException(name + " == null");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " < 0: " + d);
    }
    return d;
  }

  private static long nanosPerUnit(String unit) {
    switch (unit) {
      case "ns":
        return 1L;
      case "us":
      case "µs":
        return 1_000L;
      case "ms":
        return 1_000_000L;
      case "s":
        return 1_000_000_000L;
      case "m":
        return 60_000_000_000L;
      case "h":
        return 3_600_000_000_000L;
      default:
        throw new AssertionError(unit);
    }
  }

  private static IllegalArgumentException invalid(String text, String lower, int at) {
    String rest = lower.substring(at);
    if (rest.matches("-.*")) {
      return new IllegalArgumentException("invalid duration: '" + text + "' is negative");
    }
    if (rest.matches("\\d+(\\.\\d*)?")) {
      return new IllegalArgumentException(
          "invalid duration: '" + text + "' needs a unit (ms, s, m), e.g. " + rest + "ms");
    }
    return new IllegalArgumentException(
        "invalid duration: '" + text + "' (expected e.g. 0, 250ms, 1s, 1.5s, 2m, 6m0s)");
  }
}
