package dev.fanout.common.cli;

import dev.fanout.common.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The picocli converter of a duration flag, in {@link Durations}' grammar ({@code 250ms}, {@code 1.5s},
 * {@code 2m}, {@code 0}); a bad value is a usage error naming it. Needs picocli on the classpath.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** Parses {@code text}; throws {@link TypeConversionException} naming it if it is not a duration. */
  public static Duration parse(String text) {
    if (text == null) {
      throw new TypeConversionException("duration == null");
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration: use a number and a unit, like 250ms, 1s, 1.5s, 2m, or 0 (" + e.getMessage() + ")");
    }
  }
}
