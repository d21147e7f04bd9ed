package dev.fanout.common;

/**
 * The arithmetic of a per-minute rate limit, as the rate-limited APIs publish it ({@code x-ratelimit-limit-requests},
 * {@code x-ratelimit-limit-tokens}): a bucket that holds one second's worth at the start and refills at the
 * per-minute rate over 60.
 */
public final class Quotas {
  private Quotas() {}

  /**
   * The least time, in seconds, a quota of {@code rpm} requests and {@code tpm} tokens a minute takes to admit
   * {@code n} calls of {@code tokensPerCall} tokens each. A limit of 0 or less is no limit; with no limit at all,
   * 0. The last call's own latency is not included.
   */
  public static double minimumSeconds(long n, double tokensPerCall, long rpm, long tpm) {
    double bound = 0;
    if (rpm > 0) {
      double perSecond = rpm / 60.0;
      bound = Math.max(bound, Math.max(0, n - perSecond) / perSecond);
    }
    if (tpm > 0 && tokensPerCall > 0) {
      double perSecond = tpm / 60.0;
      bound = Math.max(bound, Math.max(0, n * tokensPerCall - perSecond) / perSecond);
    }
    return bound;
  }
}
