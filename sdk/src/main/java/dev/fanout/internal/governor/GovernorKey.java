package dev.fanout.internal.governor;

import java.util.Objects;

/**
 * A rate-limited bucket of a host: what one server-side quota meters. For chat completions the bucket is
 * the model (OpenAI and Anthropic limit each model separately); for a REST route it is the route.
 *
 * @param host the server's host (and port, when not the default)
 * @param bucket the quota's name on that host: a model, a route, or {@code ""} for the whole host
 */
public record GovernorKey(String host, String bucket) {
  public GovernorKey {
    Objects.requireNonNull(host, "host == null");
    Objects.requireNonNull(bucket, "bucket == null");
  }

  @Override
  public String toString() {
    return bucket.isEmpty() ? host : host + "/" + bucket;
  }
}
