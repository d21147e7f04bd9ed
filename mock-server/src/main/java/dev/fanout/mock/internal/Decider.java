package dev.fanout.mock.internal;

import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The engine-independent part of the router: picks the backend by path, checks the body size, rate
 * limits (429 with {@code Retry-After} and {@code Retry-After-Ms}), draws the seeded fault and samples
 * the seeded delay, counting faults in the stats. Both engines act out its {@link Decision}s, so they
 * share one latency model and one fault sequence.
 */
public final class Decider {
  private final Latency latency;
  private final Faults faults;
  private final StatsRecorder stats;
  private final long maxBodyBytes;
  private final Map<String, BackendDispatcher> backends;
  private final AdminDispatcher admin;
  private final BatchApi batch;
  private volatile Profile profile;

  public Decider(Latency latency, Faults faults, StatsRecorder stats, long maxBodyBytes) {
    this(latency, faults, stats, maxBodyBytes, Duration.ZERO);
  }

  /** A decider whose Batch API completes a batch {@code batchCompletionTime} after it is created. */
  public Decider(Latency latency, Faults faults, StatsRecorder stats, long maxBodyBytes, Duration batchCompletionTime) {
    this.latency = latency;
    this.faults = faults;
    this.stats = stats;
    this.maxBodyBytes = maxBodyBytes;
    this.profile = new Profile(latency, faults);
    MessagesDispatcher messages = new MessagesDispatcher();
    this.backends = Map.of(
        Routes.USERS, new UsersDispatcher(),
        Routes.CHAT, new ChatDispatcher(),
        Routes.MODELS, new ModelsDispatcher(),
        Routes.SEARCH, new SearchDispatcher(),
        Routes.EMBEDDINGS, new EmbeddingsDispatcher(),
        Routes.MESSAGES, messages,
        Routes.COUNT_TOKENS, messages);
    this.batch = new BatchApi(backends, batchCompletionTime, faults.meterClock());
    this.admin = new AdminDispatcher(stats::snapshot, this::reset, () -> stats.traces().snapshot().toMap());
  }

  /** Zeroes the stats and restarts the seeded sequences and rate-limit buckets. */
  public void reset() {
    profile = new Profile(latency, faults);
    stats.reset();
  }

  /** Answers an admin route ({@code /__admin/...}): never delayed, never faulted. */
  public Reply admin(ReceivedRequest request) {
    return admin.handle(request);
  }

  /** Answers a Files or Batch API route ({@link Routes#BATCH}): never delayed, never faulted, never metered. */
  public Reply batch(ReceivedRequest request) {
    if (request.bodySize() > maxBodyBytes) {
      return Reply.error(413, "request body too large: " + request.bodySize() + " bytes (max " + maxBodyBytes
          + "; start the mock with a larger max body size to upload larger files)", "invalid_request_error", null,
          "request_too_large");
    }
    return batch.handle(request);
  }

  /** Decides what to do with {@code request} on {@code route} (not admin); may throw for a bug in a route. */
  public Decision decide(String route, ReceivedRequest request) {
    stats.traces().record(request);
    Reply reply;
    if (request.bodySize() > maxBodyBytes) {
      reply = Reply.error(413, "request body too large: " + request.bodySize() + " bytes (max " + maxBodyBytes + ")",
          "invalid_request_error", null, "request_too_large");
    } else if (route.equals(Routes.UNKNOWN)) {
      reply = Reply.notFound("no route for " + request.method() + " " + request.path());
    } else {
      reply = backends.get(route).handle(request);
    }
    if (reply.isError()) return Decision.now(reply);

    Profile p = profile;
    String[] limit = new String[1];
    long retryNanos = p.admit(route, reply.tokenCost, limit);
    if (retryNanos > 0) {
      stats.fault(Stats.RATE_LIMITED);
      long retryMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(retryNanos + 999_999));
      Reply limited = (reply.anthropic
          ? Reply.anthropicError(429, "rate_limit_error", "Rate limit reached for " + route + " (" + limit[0]
              + "): please try again in " + retryMs + "ms.")
          : Reply.error(429, "Rate limit reached for " + route + " (" + limit[0] + "): please try again in "
              + retryMs + "ms.", limit[0], null, "rate_limit_exceeded"))
          .header("Retry-After", Long.toString(Math.max(1, (retryMs + 999) / 1000)))
          .header("Retry-After-Ms", Long.toString(retryMs));
      return Decision.now(limited);
    }
    String model = reply.meterModel != null ? reply.meterModel : route;
    Meter meter = p.meter(route, model);
    if (meter != null) {
      Faults f = faults.forRoute(route);
      Meter.Admission a = meter.admit(model, reply.tokenEstimate(f.maxTokensEstimate()), reply.tokensUsed);
      if (!a.admitted) {
        stats.fault(Stats.RATE_LIMITED);
        Reply limited = Reply.error(429, a.message, a.limit, null, "rate_limit_exceeded");
        limited.headers.putAll(a.headers);
        if (a.retryNanos > 0) {
          long retryMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(a.retryNanos + 999_999));
          limited.header("retry-after", Long.toString(Math.max(1, (retryMs + 999) / 1000)))
              .header("retry-after-ms", Long.toString(retryMs));
        }
        return Decision.now(limited);
      }
      reply.headers.putAll(a.headers);
    }

    AnthropicMeter anthropic = route.equals(Routes.MESSAGES) ? p.anthropicMeter(model) : null;
    if (anthropic != null) {
      AnthropicMeter.Admission a = anthropic.admit(model, reply.inputEstimate, Math.max(0, reply.maxTokens),
          reply.inputTokensUsed, reply.outputTokensUsed);
      if (!a.admitted()) {
        stats.fault(Stats.RATE_LIMITED);
        Reply limited = Reply.anthropicError(429, "rate_limit_error", a.message());
        limited.headers.putAll(a.headers());
        long seconds = Math.max(1, (a.retryNanos() + 999_999_999L) / 1_000_000_000L);
        return Decision.now(limited.header("retry-after", Long.toString(seconds)));
      }
      reply.headers.putAll(a.headers());
    }

    String fault = p.drawFault(route);
    Duration delay = p.sampleDelay(route);
    Latency l = p.latency(route);
    boolean tail = p.drawTail(route);
    if (tail) {
      delay = l.tailDelay();
      stats.fault(Stats.TAIL_LATENCY);
    }
    if (fault != null) stats.fault(fault);
    int errorStatus = Stats.ERROR_5XX.equals(fault) ? p.errorStatus(route) : 0;
    Duration ttft = !tail && l.timeToFirstToken() != null ? l.timeToFirstToken() : delay;
    return new Decision(reply, false, fault, delay, ttft.toNanos(), l.perTokenDelay().toNanos(), errorStatus);
  }
}
