package dev.fanout.internal.telemetry.otel;

import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;

/**
 * The client's metric instruments. Names, units and bucket boundaries of the HTTP and GenAI ones are those
 * of the semantic conventions; the {@code fanout.client.*} ones are ours (docs/observability.md lists all).
 */
final class Instruments {
  /** Advised boundaries of {@code http.client.request.duration}, in seconds. */
  static final List<Double> HTTP_DURATION_BUCKETS =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);
  /** Advised boundaries of {@code gen_ai.client.operation.duration} and {@code .time_to_first_chunk}, in seconds. */
  static final List<Double> GEN_AI_DURATION_BUCKETS =
      List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  /** Advised boundaries of {@code gen_ai.client.token.usage}. */
  static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L,
      262144L, 1048576L, 4194304L, 16777216L, 67108864L);

  final DoubleHistogram httpDuration;
  final LongUpDownCounter httpActiveRequests;
  final DoubleHistogram genAiDuration;
  final LongHistogram genAiTokens;
  final DoubleHistogram genAiFirstChunk;
  final LongUpDownCounter activeCalls;
  final LongCounter rateLimited;
  final DoubleHistogram governorWait;
  final LongCounter hedges;
  final LongCounter replays;
  final DoubleHistogram fanoutDuration;

  Instruments(Meter meter) {
    httpDuration = seconds(meter, "http.client.request.duration",
        "Duration of HTTP client requests.", HTTP_DURATION_BUCKETS);
    httpActiveRequests = meter.upDownCounterBuilder("http.client.active_requests")
        .setUnit("{request}").setDescription("Number of active HTTP requests.").build();
    genAiDuration = seconds(meter, "gen_ai.client.operation.duration",
        "GenAI operation duration.", GEN_AI_DURATION_BUCKETS);
    genAiTokens = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs()
        .setUnit("{token}").setDescription("Number of input and output tokens used.")
        .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS).build();
    genAiFirstChunk = seconds(meter, "gen_ai.client.operation.time_to_first_chunk",
        "Time to receive the first chunk of a streamed response.", GEN_AI_DURATION_BUCKETS);
    activeCalls = meter.upDownCounterBuilder("fanout.client.active_calls")
        .setUnit("{call}").setDescription("Logical calls started and not yet finished (retries included).").build();
    rateLimited = counter(meter, "fanout.client.rate_limited", "{response}", "HTTP 429 responses received.");
    governorWait = seconds(meter, "fanout.client.governor.wait.duration",
        "How long the rate-limit governor held a call before sending it.", HTTP_DURATION_BUCKETS);
    hedges = counter(meter, "fanout.client.hedges", "{request}", "Hedged requests sent.");
    replays = counter(meter, "fanout.client.replays", "{request}",
        "Requests sent again because the server never processed them.");
    fanoutDuration = seconds(meter, "fanout.client.fanout.duration",
        "Duration of fan-outs, from start to result.", HTTP_DURATION_BUCKETS);
  }

  /** A histogram of durations in seconds, advised {@code buckets}. */
  private static DoubleHistogram seconds(Meter meter, String name, String description, List<Double> buckets) {
    return meter.histogramBuilder(name).setUnit("s").setDescription(description)
        .setExplicitBucketBoundariesAdvice(buckets).build();
  }

  /** A counter of {@code unit}s. */
  private static LongCounter counter(Meter meter, String name, String unit, String description) {
    return meter.counterBuilder(name).setUnit(unit).setDescription(description).build();
  }
}
