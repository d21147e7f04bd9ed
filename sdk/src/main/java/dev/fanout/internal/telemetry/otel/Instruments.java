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
  /** Advised boundaries of {@code gen_ai.client.operation.duration}, in seconds. */
  static final List<Double> GEN_AI_DURATION_BUCKETS =
      List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);
  /** Advised boundaries of {@code gen_ai.client.token.usage}. */
  static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L,
      262144L, 1048576L, 4194304L, 16777216L, 67108864L);
  /** Boundaries for time to first chunk, in seconds (those the conventions advise for time to first token). */
  static final List<Double> FIRST_CHUNK_BUCKETS =
      List.of(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

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
    httpDuration = meter.histogramBuilder("http.client.request.duration")
        .setUnit("s").setDescription("Duration of HTTP client requests.")
        .setExplicitBucketBoundariesAdvice(HTTP_DURATION_BUCKETS).build();
    httpActiveRequests = meter.upDownCounterBuilder("http.client.active_requests")
        .setUnit("{request}").setDescription("Number of active HTTP requests.").build();
    genAiDuration = meter.histogramBuilder("gen_ai.client.operation.duration")
        .setUnit("s").setDescription("GenAI operation duration.")
        .setExplicitBucketBoundariesAdvice(GEN_AI_DURATION_BUCKETS).build();
    genAiTokens = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs()
        .setUnit("{token}").setDescription("Number of input and output tokens used.")
        .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS).build();
    genAiFirstChunk = meter.histogramBuilder("gen_ai.client.operation.time_to_first_chunk")
        .setUnit("s").setDescription("Time to receive the first chunk of a streamed response.")
        .setExplicitBucketBoundariesAdvice(FIRST_CHUNK_BUCKETS).build();
    activeCalls = meter.upDownCounterBuilder("fanout.client.active_calls")
        .setUnit("{call}").setDescription("Logical calls started and not yet finished (retries included).").build();
    rateLimited = meter.counterBuilder("fanout.client.rate_limited")
        .setUnit("{response}").setDescription("HTTP 429 responses received.").build();
    governorWait = meter.histogramBuilder("fanout.client.governor.wait.duration")
        .setUnit("s").setDescription("How long the rate-limit governor held a call before sending it.")
        .setExplicitBucketBoundariesAdvice(HTTP_DURATION_BUCKETS).build();
    hedges = meter.counterBuilder("fanout.client.hedges")
        .setUnit("{request}").setDescription("Hedged requests sent.").build();
    replays = meter.counterBuilder("fanout.client.replays")
        .setUnit("{request}").setDescription("Requests sent again because the server never processed them.").build();
    fanoutDuration = meter.histogramBuilder("fanout.client.fanout.duration")
        .setUnit("s").setDescription("Duration of fan-outs, from start to result.")
        .setExplicitBucketBoundariesAdvice(HTTP_DURATION_BUCKETS).build();
  }
}
