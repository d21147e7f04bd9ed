package dev.fanout.internal.governor;

import java.util.Objects;

/**
 * A rate-limited bucket of a host: what one server-side quota meters. For chat completions the bucket is
 * the model (OpenAI and Anthropic limit each model separately); for a REST route it is the route.
 *
 * @param host the server's host (and port, when not the default)
 * @param bucket the quota's name on that host: a model, a route, or {@code ""} for the whole host
 * @param coldProbe whether the bucket admits only {@code GovernorPolicy.initialConcurrency()} calls until
 *     its first response tells it the limits: true for a model API's buckets (every LLM provider meters
 *     every key, and a cold batch would overdraw its burst before the first answer), false for other
 *     routes, which start open, are paced from the first response that publishes limits and capped by
 *     AIMD from their first 429
 */
public record GovernorKey(String host, String bucket, boolean coldProbe) {
  public GovernorKey {
    Objects.requireNonNull(host, "host == null");
    Objects.requireNonNull(bucket, "bucket == null");
  }

  /** A bucket that probes before its first response (a model API's). */
  public GovernorKey(String host, String bucket) {
    this(host, bucket, true);
  }

  @Override
  public String toString() {
    return bucket.isEmpty() ? host : host + "/" + bucket;
  }
}
