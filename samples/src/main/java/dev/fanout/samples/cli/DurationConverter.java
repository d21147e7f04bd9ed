package dev.fanout.samples.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations the way people type them: {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 2m}, {@code 1h},
 * or a bare {@code 0}. Rejects anything else (including negative values) with a message naming the bad value.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** Parses {@code text}; throws {@link TypeConversionException} naming it if it is not a duration. */
  public static Duration parse(String text) {
    if (text == null) {
      throw new TypeConversionException("duration == null");
    }
    String trimmed = text.trim().toLowerCase(Locale.ROOT);
    if (trimmed.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = FORMAT.matcher(trimmed);
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration: use a number and a unit, like 250ms, 1s, 1.5s, 2m, or 0");
    }
    BigDecimal amount = new BigDecimal(m.group(1));
    long nanosPerUnit = switch (m.group(2)) {
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      default -> 3_600_000_000_000L;
    };
    BigDecimal nanos = amount.multiply(BigDecimal.valueOf(nanosPerUnit));
    if (nanos.compareTo(BigDecimal.valueOf(Duration.ofDays(1).toNanos())) > 0) {
      throw new TypeConversionException("'" + text + "' is too long: at most 24h");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /** Formats {@code d} for people: {@code 250ms}, {@code 1s}, {@code 1.5s}. */
  public static String format(Duration d) {
    long millis = d.toMillis();
    if (millis < 1000 || millis % 100 != 0) {
      return millis + "ms";
    }
    return millis % 1000 == 0 ? (millis / 1000) + "s" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
