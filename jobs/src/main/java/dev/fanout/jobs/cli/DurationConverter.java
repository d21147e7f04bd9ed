package dev.fanout.jobs.cli;

import dev.fanout.common.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations in the project's grammar ({@code 250ms}, {@code 30s}, {@code 2m}); names a bad value. */
final class DurationConverter implements ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a duration: use a number and a unit, like 250ms, "
          + "30s or 2m (" + e.getMessage() + ")");
    }
  }
}
