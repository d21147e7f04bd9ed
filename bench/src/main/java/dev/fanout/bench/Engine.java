package dev.fanout.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The simulated backend's server engine, as named on the command line. */
public enum Engine {
  /** The mock-server's default engine: MockWebServer, a platform thread per in-flight response. */
  MOCKWEBSERVER("mockwebserver"),
  /** The scale engine: Netty, responses scheduled on the event loop. */
  NETTY("netty");

  private final String id;

  Engine(String id) {
    this.id = id;
  }

  /** The command-line name. */
  public String id() {
    return id;
  }

  /** The engine named {@code id}; fails naming the bad value and the valid ones. */
  public static Engine of(String id) {
    if (id == null) throw new IllegalArgumentException("engine == null");
    for (Engine e : values()) {
      if (e.id.equals(id.trim().toLowerCase(Locale.ROOT))) return e;
    }
    throw new IllegalArgumentException("unknown engine: '" + id + "' (expected one of "
        + Arrays.stream(values()).map(Engine::id).collect(Collectors.joining(", ")) + ")");
  }

  @Override
  public String toString() {
    return id;
  }
}
