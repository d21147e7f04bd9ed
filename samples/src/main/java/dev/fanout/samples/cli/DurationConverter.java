package dev.fanout.samples.cli;

import dev.fanout.common.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations in the project's one grammar ({@link Durations}): {@code 250ms}, {@code 1s}, {@code 1.5s},
 * {@code 2m}, {@code 6m0s}, {@code PT1S} or a bare {@code 0}, at most a day. Rejects anything else (including
 * negative values) with a message naming the bad value.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Duration MAX = Duration.ofDays(1);

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /** Parses {@code text}; throws {@link TypeConversionException} naming it if it is not a duration. */
  public static Duration parse(String text) {
    Duration d = dev.fanout.common.cli.DurationConverter.parse(text);
    if (d.compareTo(MAX) > 0) {
      throw new TypeConversionException("'" + text + "' is too long: at most 24h");
    }
    return d;
  }

  /** Formats {@code d} for people, in the same grammar: {@code 250ms}, {@code 1s}, {@code 1.5s}. */
  public static String format(Duration d) {
    return Durations.format(d);
  }
}
