package dev.fanout.samples.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --tail P:DURATION} value for the embedded server: the share of requests, in [0, 1], that take
 * {@code delay} instead of {@code --latency} (the mock's seeded heavy tail), as {@code fanout-mock --tail}.
 */
public record Tail(double share, Duration delay) {
  /** No tail. */
  public static final Tail NONE = new Tail(0, Duration.ZERO);

  @Override
  public String toString() {
    return share + ":" + DurationConverter.format(delay);
  }

  /** Reads {@code 0.03:3s}; names a bad value. */
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
