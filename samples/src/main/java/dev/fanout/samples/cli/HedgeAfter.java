package dev.fanout.samples.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --hedge-after} value: a fixed delay ({@code 200ms}) or {@code auto} (the route's observed p95).
 * {@link #delay()} is null for auto.
 */
public record HedgeAfter(Duration delay) {
  /** The value that means "after the route's observed p95". */
  public static final String AUTO = "auto";

  public boolean isAuto() {
    return delay == null;
  }

  @Override
  public String toString() {
    return delay == null ? AUTO : DurationConverter.format(delay);
  }

  /** Reads {@code auto} or a duration in the project's grammar; names a bad value. */
  public static final class Converter implements ITypeConverter<HedgeAfter> {
    @Override
    public HedgeAfter convert(String value) {
      if (value != null && value.strip().equalsIgnoreCase(AUTO)) {
        return new HedgeAfter(null);
      }
      try {
        return new HedgeAfter(DurationConverter.parse(value));
      } catch (TypeConversionException e) {
        throw new TypeConversionException(e.getMessage() + "; or auto (after the route's observed p95)");
      }
    }
  }
}
