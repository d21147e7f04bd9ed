package dev.fanout.mock.internal;

import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The running state of a latency and fault profile: one seeded random sequence per route for
 * jitter and one for faults (drawn in arrival order), and the rate-limit token buckets. Replaced
 * as a whole on reset.
 */
final class Profile {
  private final Latency latency;
  private final Faults faults;
  private final Map<String, Random> jitter = new HashMap<>();
  private final Map<String, Random> faultDraws = new HashMap<>();
  private final Map<String, TokenBucket> requestBuckets = new HashMap<>();
  private final TokenBucket chatTokens;
  private final Map<String, Random> tails = new HashMap<>();
  private final Map<String, PerModel<Meter>> meters = new HashMap<>();
  private final PerModel<AnthropicMeter> anthropic;

  Profile(Latency latency, Faults faults) {
    this.latency = latency;
    this.faults = faults;
    TokenBucket global = faults.rateLimit() > 0 ? new TokenBucket(faults.rateLimit(), faults.rateLimitBurst()) : null;
    for (String route : Routes.BACKENDS) {
      long salt = 0x9E3779B97F4A7C15L * (Routes.BACKENDS.indexOf(route) + 1);
      jitter.put(route, new Random(latency.forRoute(route).seed() ^ salt));
      Faults f = faults.forRoute(route);
      faultDraws.put(route, new Random(f.seed() ^ salt));
      TokenBucket bucket = global;
      if (faults.routes().containsKey(route)) {
        bucket = f.rateLimit() > 0 ? new TokenBucket(f.rateLimit(), f.rateLimitBurst()) : null;
      }
      if (bucket != null) requestBuckets.put(route, bucket);
    }
    PerModel<Meter> shared = faults.isMetered() ? new PerModel<>(() -> new Meter(faults)) : null;
    for (String route : Routes.BACKENDS) {
      long salt = 0x9E3779B97F4A7C15L * (Routes.BACKENDS.indexOf(route) + 1);
      tails.put(route, new Random(latency.forRoute(route).seed() ^ salt ^ 0x7A11L));
      PerModel<Meter> meter = Routes.METERED.contains(route) ? shared : null;
      if (route.equals(Routes.MESSAGES)) continue; // metered Anthropic's way, below
      if (route.equals(Routes.COUNT_TOKENS)) continue; // not metered, even with a route override's limits
      if (faults.routes().containsKey(route)) {
        Faults f = faults.forRoute(route);
        meter = f.isMetered() ? new PerModel<>(() -> new Meter(f)) : null;
      }
      if (meter != null) meters.put(route, meter);
    }
    Faults m = faults.forRoute(Routes.MESSAGES);
    anthropic = m.isMetered()
        ? new PerModel<>(() -> new AnthropicMeter(m.requestsPerMinute(), m.tokensPerMinute(),
            m.meterDepth().toNanos() / 60e9, m.meterClock()))
        : null;
    long tpm = faults.forRoute(Routes.CHAT).chatTokensPerMinute();
    chatTokens = tpm > 0 ? new TokenBucket(tpm / 60.0, tpm) : null;
  }

  Latency latency(String route) {
    return latency.forRoute(route);
  }

  /** The next delay for {@code route}. */
  Duration sampleDelay(String route) {
    Latency l = latency.forRoute(route);
    Random r = jitter.get(route);
    synchronized (r) {
      return l.jitter().apply(l.delay(), r);
    }
  }

  /** True if the next request to {@code route} takes the tail latency (a seeded draw of its own). */
  boolean drawTail(String route) {
    Latency l = latency.forRoute(route);
    if (l.tailShare() <= 0) return false;
    Random r = tails.get(route);
    synchronized (r) {
      return r.nextDouble() < l.tailShare();
    }
  }

  /** Anthropic's meter of {@code model} on {@code /v1/messages}, or null when it is not metered. */
  AnthropicMeter anthropicMeter(String model) {
    return anthropic == null ? null : anthropic.forModel(model);
  }

  /** The meter of {@code model} on {@code route}, or null when the route is not metered. */
  Meter meter(String route, String model) {
    PerModel<Meter> perModel = meters.get(route);
    return perModel == null ? null : perModel.forModel(model);
  }

  /** The next fault for {@code route}: one of the {@link Stats} fault kinds, or null for none. */
  String drawFault(String route) {
    Faults f = faults.forRoute(route);
    if (f.totalRate() == 0) return null;
    Random r = faultDraws.get(route);
    double u;
    synchronized (r) {
      u = r.nextDouble();
    }
    if ((u -= f.errorRate()) < 0) return Stats.ERROR_5XX;
    if ((u -= f.disconnectBeforeBodyRate()) < 0) return Stats.DISCONNECT_BEFORE_BODY;
    if ((u -= f.disconnectDuringBodyRate()) < 0) return Stats.DISCONNECT_DURING_BODY;
    if ((u -= f.stallRate()) < 0) return Stats.STALL;
    if ((u -= f.malformedJsonRate()) < 0) return Stats.MALFORMED_JSON;
    return null;
  }

  /** The 5xx status of an injected error, from the same sequence as the fault. */
  int errorStatus(String route) {
    Random r = faultDraws.get(route);
    synchronized (r) {
      int[] codes = {500, 502, 503};
      return codes[r.nextInt(codes.length)];
    }
  }

  /** 0 if admitted, else the nanoseconds until a retry could be; {@code limit} says which limit. */
  long admit(String route, long chatTokenCost, String[] limit) {
    TokenBucket requests = requestBuckets.get(route);
    if (requests != null) {
      long wait = requests.tryAcquire(1);
      if (wait > 0) {
        limit[0] = "requests";
        return wait;
      }
    }
    if (chatTokens != null && route.equals(Routes.CHAT) && chatTokenCost > 0) {
      long wait = chatTokens.tryAcquire(chatTokenCost);
      if (wait > 0) {
        limit[0] = "tokens";
        return wait;
      }
    }
    return 0;
  }
}
