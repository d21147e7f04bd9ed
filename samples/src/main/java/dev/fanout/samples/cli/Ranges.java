package dev.fanout.samples.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Range checks for numeric options, failing as picocli does for a bad value: one line naming it, exit 2. */
public final class Ranges {
  private Ranges() {}

  /** Rejects {@code value} of {@code option} unless {@code min <= value <= max}. */
  public static void check(CommandSpec spec, String option, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': "
          + format(value) + " (expected " + format(min) + " to " + format(max) + ")");
    }
  }

  /** Rejects {@code value} of {@code option} unless {@code value >= min}. */
  public static void atLeast(CommandSpec spec, String option, long value, long min) {
    if (value < min) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '" + option + "': " + value + " < " + min);
    }
  }

  /** Rejects {@code value} of {@code option} unless it is longer than zero. */
  public static void positive(CommandSpec spec, String option, java.time.Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '" + option + "': " + DurationConverter.format(value) + " (expected more than 0)");
    }
  }

  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
