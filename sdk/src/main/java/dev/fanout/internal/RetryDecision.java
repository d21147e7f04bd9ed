package dev.fanout.internal;

import dev.fanout.RetryPolicy;
import java.time.Duration;

/**
 * What the retry loop does after an attempt of a call failed: retry it after {@code backoff} (zero: as soon
 * as the gate admits it), or end the call with the failure ({@code backoff} null), and why, as the DEBUG log
 * says it. A pure function of the call's {@link RetryPolicy} and what the failure said; the call acts it out.
 */
record RetryDecision(Duration backoff, String why) {

  /**
   * Decides for attempt {@code n} failed ({@code status} -1 if no response), {@code committed} if part of its
   * response was delivered, {@code gatePacesRateLimits} if the client's gate already pauses for a 429.
   */
  static RetryDecision after(RetryPolicy policy, int n, boolean retryable, boolean committed, Duration retryAfter,
      int status, boolean gatePacesRateLimits) {
    String stop = !retryable ? "not retryable"
        : committed ? "the response was already being delivered"
        : n >= policy.maxAttempts() ? "maxAttempts " + policy.maxAttempts() + " reached"
        : policy.refusesRetryAfter(retryAfter)
            ? "the server asked to wait " + retryAfter.toMillis() + " ms, beyond maxRetryAfter"
        : null;
    if (stop != null) {
      return new RetryDecision(null, ", not retried (" + stop + ")");
    }
    // A governing gate already paused the bucket for this 429: the retry waits for it, not twice.
    Duration wait = status == 429 && gatePacesRateLimits ? Duration.ZERO : policy.backoff(n, retryAfter);
    return new RetryDecision(wait, (status == 429 ? " with 429 Too Many Requests"
        + (retryAfter == null ? "" : " (retry after " + retryAfter.toMillis() + " ms)") : "")
        + "; retrying " + (wait.isZero() ? "when the governor admits it (its pause for this 429)"
            : "in " + wait.toMillis() + " ms"));
  }

  boolean retries() {
    return backoff != null;
  }
}
