package dev.fanout.bench.server;

import dev.fanout.common.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a non-negative {@link Duration} in the project's one grammar ({@link Durations}: {@code 1.5s}, {@code 250ms}, {@code 0}). */
public final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** The duration {@code text} names; fails naming the bad value. */
  public static Duration parse(String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage() + " (expected for example 1s, 1.5s, 250ms, 2m or 0)");
    }
  }
}
