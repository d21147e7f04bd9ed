package dev.fanout.common.cli;

import dev.fanout.common.Durations;
import java.time.Duration;
import java.util.Objects;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --tail P:DURATION} value, such as {@code 0.03:3s}: the share of requests, in [0, 1], that a mock
 * backend answers after {@code delay} instead of its latency (its seeded heavy tail).
 */
public record Tail(double share, Duration delay) {
  /** No tail. */
  public static final Tail NONE = new Tail(0, Duration.ZERO);

  /** Checks that {@code share} is in [0, 1] and {@code delay} is not negative. */
  public Tail {
    if (!(share >= 0 && share <= 1)) {
      throw new IllegalArgumentException("tail share not in [0, 1]: " + share);
    }
    Objects.requireNonNull(delay, "delay == null");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("tail delay < 0: " + delay);
    }
  }

  /** Formats it as it is written on a command line: {@code 0.03:3s}. */
  @Override
  public String toString() {
    return share + ":" + Durations.format(delay);
  }

  /** Reads {@code 0.03:3s}; a bad value is a usage error naming it. Needs picocli on the classpath. */
  public static final class Converter implements ITypeConverter<Tail> {
    @Override
    public Tail convert(String value) {
      int colon = value == null ? -1 : value.indexOf(':');
      if (colon < 0) {
        throw new TypeConversionException("'" + value + "' is not a tail: use P:DURATION, like 0.03:3s");
      }
      double share;
      try {
        share = Double.parseDouble(value.substring(0, colon).strip());
      } catch (NumberFormatException e) {
        throw new TypeConversionException("'" + value + "' is not a tail: its share is not a number (use P:DURATION, like 0.03:3s)");
      }
      if (!(share >= 0 && share <= 1)) {
        throw new TypeConversionException("'" + value + "': tail share not in [0, 1]: " + share);
      }
      return new Tail(share, DurationConverter.parse(value.substring(colon + 1).strip()));
    }
  }
}
