package dev.fanout.common.cli;

import dev.fanout.common.Durations;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Range checks of numeric options, failing as picocli does for a bad value: a {@link ParameterException} whose
 * one line names the option and the value ({@code Invalid value for option '--rounds': 0 < 1}), exit 2. Needs
 * picocli on the classpath.
 *
 * <p>{@code spec} is the command whose usage a failure prints: a command's own {@code @Spec}, or a mixin's
 * {@code @Spec(Spec.Target.MIXEE)}.
 */
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
  public static void positive(CommandSpec spec, String option, Duration value) {
    if (value.isZero() || value.isNegative()) {
      String shown = value.isNegative() ? "-" + Durations.format(value.negated()) : Durations.format(value);
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '" + option + "': " + shown + " (expected more than 0)");
    }
  }

  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
