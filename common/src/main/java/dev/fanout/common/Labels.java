package dev.fanout.common;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Enum constants looked up by the label a command line or a report names them with, such as {@code netty}
 * for a server engine or {@code fanout-h2c} for a benchmark client.
 */
public final class Labels {
  private Labels() {}

  /**
   * The constant of {@code type} whose {@code label} equals {@code value}, trimmed and in lower case.
   *
   * @param what the name of the thing in the error messages, such as {@code engine}
   * @throws IllegalArgumentException if {@code value} is null ({@code "engine == null"}) or no label matches
   *     ({@code "unknown engine: 'jetty' (expected one of mockwebserver, netty)"})
   */
  public static <E extends Enum<E>> E parse(Class<E> type, Function<E, String> label, String what, String value) {
    Objects.requireNonNull(type, "type == null");
    Objects.requireNonNull(label, "label == null");
    if (value == null) throw new IllegalArgumentException(what + " == null");
    String wanted = value.trim().toLowerCase(Locale.ROOT);
    E[] constants = type.getEnumConstants();
    for (E e : constants) {
      if (label.apply(e).equals(wanted)) return e;
    }
    throw new IllegalArgumentException("unknown " + what + ": '" + value + "' (expected one of "
        + Arrays.stream(constants).map(label).collect(Collectors.joining(", ")) + ")");
  }
}
