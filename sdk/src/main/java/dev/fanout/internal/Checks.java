package dev.fanout.internal;

import java.time.Duration;
import java.util.Objects;

/** The argument checks the SDK's builders share; each failure names the argument and its bad value. */
public final class Checks {
  private Checks() {}

  /** Returns {@code value}; fails if it is null ({@code "model == null"}) or blank ({@code "model is blank: \" \""}). */
  public static String notBlank(String value, String name) {
    Objects.requireNonNull(value, name + " == null");
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " is blank: \"" + value + "\"");
    }
    return value;
  }

  /** Returns {@code value}, which may be null (unset); fails if it is blank. */
  public static String nullOrNotBlank(String value, String name) {
    return value == null ? null : notBlank(value, name);
  }

  /** Returns {@code value}; fails if it is null or not positive ({@code "timeout <= 0: PT0S"}). */
  public static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name + " == null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " <= 0: " + value);
    }
    return value;
  }
}
