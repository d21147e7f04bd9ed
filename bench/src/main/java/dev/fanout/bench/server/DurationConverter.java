package dev.fanout.bench.server;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code 1s}, {@code 250ms}, {@code 2m} or {@code 0} into a non-negative {@link Duration}. */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m)?");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** The duration {@code text} names; fails naming the bad value. */
  public static Duration parse(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new TypeConversionException("not a duration: '" + text + "' (expected for example 1s, 250ms, 2m or 0)");
    }
    long amount = Long.parseLong(m.group(1));
    String unit = m.group(2);
    if (unit == null) {
      if (amount != 0) throw new TypeConversionException("duration needs a unit: '" + text + "' (ms, s or m)");
      return Duration.ZERO;
    }
    switch (unit) {
      case "ms":
        return Duration.ofMillis(amount);
      case "s":
        return Duration.ofSeconds(amount);
      default:
        return Duration.ofMinutes(amount);
    }
  }
}
