package dev.fanout.internal.governor;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one response's headers say about rate limits: the limits published (possibly none), and the wait a
 * server asked for with {@code retry-after-ms} or {@code retry-after}.
 */
record RateLimitSignal(List<LimitObservation> observations, Optional<Duration> retryAfter) {
  static final RateLimitSignal NONE = new RateLimitSignal(List.of(), Optional.empty());

  public RateLimitSignal {
    observations = List.copyOf(Objects.requireNonNull(observations, "observations == null"));
    Objects.requireNonNull(retryAfter, "retryAfter == null");
  }

  /** Returns the observation of {@code dimension} under {@code policy}, if this response published one. */
  public Optional<LimitObservation> find(LimitDimension dimension, String policy) {
    return observations.stream()
        .filter(o -> o.dimension() == dimension && o.policy().equals(policy))
        .findFirst();
  }
}
