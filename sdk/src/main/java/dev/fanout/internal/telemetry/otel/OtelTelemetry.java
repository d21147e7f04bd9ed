package dev.fanout.internal.telemetry.otel;

import dev.fanout.FanoutClock;
import dev.fanout.internal.telemetry.CallInfo;
import dev.fanout.internal.telemetry.Telemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;
import okhttp3.Request;

/**
 * {@link Telemetry} on the OpenTelemetry API: a span per fan-out, a CLIENT span per logical call (HTTP
 * client and GenAI conventions), a CLIENT span per attempt (each resend its own span with
 * {@code http.request.resend_count}), governor waits and hedges as events, and the metrics listed in
 * {@link Instruments}. The attempt's span context is what its request's {@code traceparent} carries,
 * written by the OpenTelemetry's own propagators (W3C trace context unless configured otherwise).
 *
 * <p>Times come from the client's {@link FanoutClock}: span timestamps are the clock's instant when this
 * telemetry was created plus the clock's monotonic time since, so durations are exact and a test on a
 * fake clock sees the durations it advanced.
 */
public final class OtelTelemetry implements Telemetry {
  /** The instrumentation scope name of tracer and meter. */
  public static final String SCOPE_NAME = "dev.fanout";

  private static final TextMapSetter<Request.Builder> SETTER = (builder, key, value) -> {
    if (builder != null) {
      builder.header(key, value);
    }
  };

  final Tracer tracer;
  final Instruments instruments;
  final FanoutClock clock;
  private final TextMapPropagator propagator;
  private final long anchorEpochNanos;
  private final long anchorNanoTime;

  private OtelTelemetry(OpenTelemetry openTelemetry, FanoutClock clock) {
    String version = OtelTelemetry.class.getPackage().getImplementationVersion();
    var tracerBuilder = openTelemetry.tracerBuilder(SCOPE_NAME);
    var meterBuilder = openTelemetry.meterBuilder(SCOPE_NAME);
    if (version != null) {
      tracerBuilder.setInstrumentationVersion(version);
      meterBuilder.setInstrumentationVersion(version);
    }
    this.tracer = tracerBuilder.build();
    this.instruments = new Instruments(meterBuilder.build());
    this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
    this.clock = clock;
    Instant now = clock.instant();
    this.anchorEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    this.anchorNanoTime = clock.nanoTime();
  }

  /**
   * Returns the telemetry for {@code openTelemetry}.
   *
   * @throws IllegalArgumentException if it is not an {@link OpenTelemetry}
   */
  public static Telemetry create(Object openTelemetry, FanoutClock clock) {
    Objects.requireNonNull(clock, "clock == null");
    if (!(openTelemetry instanceof OpenTelemetry)) {
      throw new IllegalArgumentException("not an io.opentelemetry.api.OpenTelemetry: "
          + (openTelemetry == null ? "null" : openTelemetry.getClass().getName()));
    }
    return new OtelTelemetry((OpenTelemetry) openTelemetry, clock);
  }

  @Override
  public boolean isEnabled() {
    return true;
  }

  @Override
  public FanoutScope fanoutStarted(String combinator, int size, OptionalInt bound) {
    Objects.requireNonNull(combinator, "combinator == null");
    Objects.requireNonNull(bound, "bound == null");
    return new OtelFanout(this, Context.current(), combinator, size, bound);
  }

  @Override
  public CallScope callStarted(CallInfo call) {
    return new OtelCall(this, Context.current(), call);
  }

  /** Returns the clock's current time as epoch nanoseconds, monotonic since this telemetry was created. */
  long epochNanos() {
    return anchorEpochNanos + (clock.nanoTime() - anchorNanoTime);
  }

  void inject(Context context, Request.Builder request) {
    propagator.inject(context, request, SETTER);
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  @Override
  public String toString() {
    return "OtelTelemetry{" + propagator + '}';
  }
}
