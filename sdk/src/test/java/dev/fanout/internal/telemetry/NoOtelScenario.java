package dev.fanout.internal.telemetry;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * A fan-out over real HTTP and every telemetry hook, written as a user without OpenTelemetry would run it.
 * {@link NoOtelClasspathTest} runs it in a class loader that cannot see {@code io.opentelemetry}.
 */
public final class NoOtelScenario implements Callable<String> {
  @Override
  public String call() {
    try (MockBackend backend = MockBackend.builder().latency(Latency.none()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      Telemetry telemetry = Telemetry.noop();
      List<Long> ids = List.of(1L, 2L, 3L);
      Telemetry.FanoutScope fanout = telemetry.fanoutStarted("settleAll", ids.size(), OptionalInt.empty());
      List<Outcome<User>> outcomes = Fanout.settleAll(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults()).await();
      for (long id : ids) {
        HttpUrl url = HttpUrl.get(backend.url()).resolve("users/" + id);
        Telemetry.CallScope call = fanout.callStarted(CallInfo.http("GET", url));
        Telemetry.AttemptScope attempt = call.attemptStarted(1);
        Request.Builder request = new Request.Builder().url(url);
        attempt.inject(request);
        if (request.build().header("traceparent") != null) {
          throw new AssertionError("no-op telemetry wrote a traceparent");
        }
        attempt.responded(200);
        attempt.ended(null);
        call.governorWait(java.time.Duration.ZERO);
        call.hedgeSent(2).ended(null);
        call.firstChunk();
        call.ended(null, GenAiResponse.of("id", "model", List.of("stop"), 1L, 2L));
      }
      fanout.ended(outcomes.size(), 0, 0, null);
      return outcomes.stream().map(o -> o.isSuccess() ? o.value().name() : "failed").collect(Collectors.joining(","))
          + " via " + telemetry;
    }
  }
}
