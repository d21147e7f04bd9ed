package dev.fanout.internal.governor;

import dev.fanout.common.Durations;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import okhttp3.Headers;

/**
 * In-memory models of metered servers for governor tests: each decides, at the time a request arrives,
 * whether it fits the quota, and answers with the headers its convention publishes. Driven by a
 * {@link FakeClock}; not thread-safe (tests drive it from the clock's thread).
 */
abstract class SimulatedServer {
  final FakeClock clock;
  int inFlight;
  int maxInFlight;
  long accepted;
  long rejected;

  SimulatedServer(FakeClock clock) {
    this.clock = clock;
  }

  record Answer(int status, Headers headers) {}

  /** Decides a request of {@code tokens} arriving now. */
  abstract Answer arrive(long tokens);

  /**
   * OpenAI-style: requests and tokens per minute as token buckets (full at start), {@code x-ratelimit-*}
   * on every response, 429 with {@code retry-after-ms} when a bucket is short.
   */
  static final class OpenAiLike extends SimulatedServer {
    private final double rpm;
    private final double tpm;
    /** What the buckets hold when full: a minute's worth, or a second's (OpenAI enforces over short windows). */
    private final double requestCapacity;
    private final double tokenCapacity;
    private double requests;
    private double tokens;
    private long last;

    OpenAiLike(FakeClock clock, long rpm, long tpm) {
      this(clock, rpm, tpm, Duration.ofMinutes(1));
    }

    /** Buckets holding {@code depth} worth of the per-minute limits, full at the start. */
    OpenAiLike(FakeClock clock, long rpm, long tpm, Duration depth) {
      super(clock);
      this.rpm = rpm;
      this.tpm = tpm;
      this.requestCapacity = Math.max(1, rpm * depth.toNanos() / 60e9);
      this.tokenCapacity = Math.max(1, tpm * depth.toNanos() / 60e9);
      this.requests = requestCapacity;
      this.tokens = tokenCapacity;
    }

    @Override
    Answer arrive(long cost) {
      long now = clock.nanoTime();
      double minutes = (now - last) / 60e9;
      last = now;
      requests = Math.min(requestCapacity, requests + rpm * minutes);
      tokens = Math.min(tokenCapacity, tokens + tpm * minutes);
      if (requests >= 1 && tokens >= cost) {
        requests -= 1;
        tokens -= cost;
        accepted++;
        return new Answer(200, headers(null));
      }
      rejected++;
      double waitReq = requests >= 1 ? 0 : (1 - requests) / rpm * 60e3;
      double waitTok = tokens >= cost ? 0 : (cost - tokens) / tpm * 60e3;
      long ms = (long) Math.ceil(Math.max(waitReq, waitTok));
      return new Answer(429, headers(ms));
    }

    private Headers headers(Long retryAfterMs) {
      Headers.Builder h = new Headers.Builder()
          .add("x-ratelimit-limit-requests", Long.toString((long) rpm))
          .add("x-ratelimit-remaining-requests", Long.toString((long) Math.floor(requests)))
          .add("x-ratelimit-reset-requests", reset((requestCapacity - requests) / rpm * 60e9))
          .add("x-ratelimit-limit-tokens", Long.toString((long) tpm))
          .add("x-ratelimit-remaining-tokens", Long.toString((long) Math.floor(tokens)))
          .add("x-ratelimit-reset-tokens", reset((tokenCapacity - tokens) / tpm * 60e9));
      if (retryAfterMs != null) {
        h.add("retry-after-ms", Long.toString(retryAfterMs));
      }
      return h.build();
    }

    private static String reset(double nanos) {
      // OpenAI writes resets in milliseconds precision: 6m0s, 1s, 20ms.
      return Durations.format(Duration.ofMillis((long) Math.ceil(nanos / 1e6)));
    }
  }

  /** IETF-style fixed window: {@code quota} requests per {@code window}, {@code RateLimit} fields. */
  static final class FixedWindow extends SimulatedServer {
    private final long quota;
    private final long window;
    private long windowStart;
    private long used;

    FixedWindow(FakeClock clock, long quota, Duration window) {
      super(clock);
      this.quota = quota;
      this.window = window.toNanos();
    }

    @Override
    Answer arrive(long tokens) {
      long now = clock.nanoTime();
      while (now - windowStart >= window) {
        windowStart += window;
        used = 0;
      }
      boolean ok = used < quota;
      if (ok) {
        used++;
        accepted++;
      } else {
        rejected++;
      }
      long t = (long) Math.ceil((windowStart + window - now) / 1e9);
      Headers h = Headers.of(
          "RateLimit-Policy", "\"default\";q=" + quota + ";w=" + window / 1_000_000_000L,
          "RateLimit", "\"default\";r=" + (quota - used) + ";t=" + t);
      return new Answer(ok ? 200 : 429, ok ? h : h.newBuilder().add("retry-after", Long.toString(t)).build());
    }
  }

  /** A server that publishes nothing and answers 429 when more than {@code capacity} requests are in flight. */
  static final class Silent extends SimulatedServer {
    private final int capacity;

    Silent(FakeClock clock, int capacity) {
      super(clock);
      this.capacity = capacity;
    }

    @Override
    Answer arrive(long tokens) {
      if (inFlight >= capacity) {
        rejected++;
        return new Answer(429, Headers.of());
      }
      accepted++;
      return new Answer(200, Headers.of());
    }
  }
}
