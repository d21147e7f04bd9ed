package dev.fanout.bench.client;

import dev.fanout.bench.ClientKind;

/** Creates the {@link HttpTarget} for a JVM {@link ClientKind}. */
public final class Targets {
  private Targets() {}

  /**
   * A new target of {@code kind} against {@code baseUrl}; {@code maxInFlight} sizes the clients that take
   * a bound (Fanout h2c). Fails for a client that is not a JVM one.
   */
  public static HttpTarget create(ClientKind kind, String baseUrl, int maxInFlight) {
    switch (kind) {
      case FANOUT:
        return FanoutTarget.defaults(baseUrl);
      case FANOUT_H2C:
        return FanoutTarget.h2c(baseUrl, maxInFlight);
      case FANOUT_N:
        return FanoutTarget.defaultPath(baseUrl, maxInFlight);
      case OKHTTP:
        return new OkHttpTarget(baseUrl);
      case OKHTTP_N:
        return OkHttpTarget.sized(baseUrl, maxInFlight);
      case OKHTTP_VT:
        return OkHttpTarget.sizedVirtual(baseUrl, maxInFlight);
      case JDK:
        return new JdkTarget(baseUrl);
      default:
        throw new IllegalArgumentException("not a JVM client: " + kind);
    }
  }
}
