package dev.fanout.samples.otel;

import dev.fanout.errors.ErrorResponse;
import dev.fanout.errors.ServiceException;
import dev.fanout.internal.telemetry.CallInfo;
import dev.fanout.internal.telemetry.GenAiRequest;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.internal.telemetry.Telemetry;
import dev.fanout.internal.telemetry.otel.OtelTelemetry;
import dev.fanout.testing.FakeClock;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import okhttp3.HttpUrl;

/**
 * A fan-out of three chat calls driven through the SDK's telemetry seam on a fake clock: one answers after
 * 800 ms, one is rate limited (429) and answers on its retry after a 250 ms governor wait, one is hedged.
 * 9 spans: the fan-out, 3 calls, 5 attempts.
 */
public final class TraceFixture {
  public static final int SPANS = 9;

  private TraceFixture() {}

  public static void run(OpenTelemetry openTelemetry) {
    FakeClock clock = FakeClock.create();
    Telemetry telemetry = OtelTelemetry.create(openTelemetry, clock);
    HttpUrl chat = HttpUrl.get("http://127.0.0.1:8080/v1/chat/completions");
    CallInfo info = CallInfo.genAi("POST", chat, GenAiRequest.chat("gpt-4o-mini", 64, null, true));
    Telemetry.FanoutScope fanout = telemetry.fanoutStarted("settleAll", 3, OptionalInt.of(16));
    Telemetry.CallScope a = fanout.callStarted(info);
    Telemetry.CallScope b = fanout.callStarted(info);
    Telemetry.CallScope c = fanout.callStarted(info);
    Telemetry.AttemptScope a1 = a.attemptStarted(1);
    Telemetry.AttemptScope b1 = b.attemptStarted(1);
    Telemetry.AttemptScope c1 = c.attemptStarted(1);
    clock.advance(Duration.ofMillis(40));
    b1.responded(429);
    b1.ended(new ServiceException("HTTP 429", new ErrorResponse(429, "POST", "/v1/chat/completions", Map.of(), "")));
    clock.advance(Duration.ofMillis(250));
    b.governorWait(Duration.ofMillis(250));
    Telemetry.AttemptScope b2 = b.attemptStarted(2);
    clock.advance(Duration.ofMillis(210));
    Telemetry.AttemptScope c2 = c.hedgeSent(2);
    a1.responded(200);
    a.firstChunk();
    clock.advance(Duration.ofMillis(300));
    a1.ended(null);
    a.ended(null, GenAiResponse.of("chatcmpl-1", "gpt-4o-mini-2024-07-18", List.of("stop"), 12L, 40L));
    c2.responded(200);
    c.firstChunk();
    clock.advance(Duration.ofMillis(200));
    c2.ended(null);
    c1.ended(new dev.fanout.errors.FanoutCancelledException("the hedge won"));
    c.ended(null, GenAiResponse.of("chatcmpl-3", "gpt-4o-mini-2024-07-18", List.of("stop"), 12L, 31L));
    b2.responded(200);
    b.firstChunk();
    clock.advance(Duration.ofMillis(150));
    b2.ended(null);
    b.ended(null, GenAiResponse.of("chatcmpl-2", "gpt-4o-mini-2024-07-18", List.of("length"), 12L, 64L));
    fanout.ended(3, 0, 0, null);
  }
}
