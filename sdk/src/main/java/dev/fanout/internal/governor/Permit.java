package dev.fanout.internal.governor;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Headers;

/**
 * An admission by the governor to send one attempt. The call path reports how the attempt ended exactly
 * once, with {@link #onResponse}, {@link #onFailure} or {@link #release}; later reports are ignored. Until
 * then the permit holds one of its bucket's concurrency slots. Thread-safe.
 */
public final class Permit {
  private final Bucket bucket;
  final long seq;
  final long[] admittedBefore;
  final TokenEstimate estimate;
  final long admittedAt;
  private final long waitedNanos;
  private final AtomicBoolean done = new AtomicBoolean();
  private final AtomicBoolean corrected = new AtomicBoolean();

  Permit(Bucket bucket, long seq, long[] admittedBefore, TokenEstimate estimate, long admittedAt, long waitedNanos) {
    this.bucket = bucket;
    this.seq = seq;
    this.admittedBefore = admittedBefore;
    this.estimate = estimate;
    this.admittedAt = admittedAt;
    this.waitedNanos = waitedNanos;
  }

  /** Returns how long the call waited for this permit (0 when admitted at once). */
  public Duration waited() {
    return Duration.ofNanos(waitedNanos);
  }

  /** Returns the bucket this permit was admitted to, or null for the permit of a disabled governor. */
  public GovernorKey key() {
    return bucket == null ? null : bucket.key;
  }

  /**
   * Reports the response: its status and headers (the limits they publish update the bucket; a 429 pauses
   * it), and, when the body reported it, the tokens the call really used (an over-estimate is given back).
   */
  public void onResponse(int status, Headers headers, OptionalLong actualTokens) {
    if (done.compareAndSet(false, true) && bucket != null) {
      bucket.onResponse(this, status, headers == null ? Headers.of() : headers, actualTokens);
    }
  }

  /**
   * Corrects the call's token charge to the {@code actualTokens} (input plus output) its response body
   * reported ({@code usage.total_tokens}), after {@link #onResponse}: the difference from the estimate is
   * given back to, or charged on top of, the bucket's token limits. At most once; ignored for a call not
   * metered in tokens or before {@link #onResponse}.
   */
  public void onUsage(long actualTokens) {
    if (actualTokens < 0 || bucket == null || estimate.total() == 0 || !done.get()
        || !corrected.compareAndSet(false, true)) {
      return;
    }
    bucket.correct(this, actualTokens);
  }

  /**
   * Corrects the call's token charge to what its response body reported, per kind: {@code inputTokens}
   * (those the input-token limits count: Anthropic leaves out cache reads) and {@code outputTokens}. Each
   * token ledger is corrected by its own difference (input, output, or their sum for a combined limit).
   * Same rules as {@link #onUsage(long)}; the two share one correction.
   */
  public void onUsage(long inputTokens, long outputTokens) {
    if (inputTokens < 0 || outputTokens < 0 || bucket == null || estimate.total() == 0 || !done.get()
        || !corrected.compareAndSet(false, true)) {
      return;
    }
    bucket.correct(this, new TokenEstimate(inputTokens, outputTokens));
  }

  /** Reports that the attempt failed without a response (a transport error or a timeout). */
  public void onFailure(Throwable failure) {
    if (done.compareAndSet(false, true) && bucket != null) {
      bucket.release(this);
    }
  }

  /**
   * Gives the slot back with nothing learnt: the attempt was cancelled or never sent, or its response says
   * nothing about the rate (Anthropic's spend-cap 429).
   */
  public void release() {
    if (done.compareAndSet(false, true) && bucket != null) {
      bucket.release(this);
    }
  }

  /** Returns true once the attempt's end was reported. */
  public boolean isDone() {
    return done.get();
  }

  static Permit unmetered() {
    return new Permit(null, 0, new long[0], TokenEstimate.NONE, 0, 0);
  }
}
