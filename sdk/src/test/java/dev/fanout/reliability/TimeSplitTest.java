package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.CallOptions;
import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutReport;
import dev.fanout.GovernorPolicy;
import dev.fanout.Outcome;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each call's time is split once, on the client's clock (a {@link FakeClock} here): queued for
 * {@code maxInFlight}, held by the rate-limit governor, in flight, and between attempts, and the parts add up
 * to the call's duration, also for a call that ends while the governor holds it or while it is queued. A
 * report used to show a call that timed out inside the governor with no governor wait and its whole run
 * in flight, and a governor wait as time "queued for maxInFlight".
 *
 * <p>The scene: {@code maxInFlight(1)}; the server holds the one request to {@code /v1/embeddings} (a model
 * API, whose bucket admits {@code initialConcurrency(1)} until its first response). A second embeddings
 * call waits for the governor; a lookup of {@code /users/1} (a route the governor leaves open) is admitted
 * and waits in the client's queue behind the held request. Both have a 1 s deadline; the fake clock moves
 * 1 s.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class TimeSplitTest {
  private static final Duration DEADLINE = Duration.ofSeconds(1);
  private static final long SECOND = 1_000_000_000L;

  private final MockWebServer server = new MockWebServer();
  private final CountDownLatch release = new CountDownLatch(1);
  private final FakeClock clock = FakeClock.create();
  private final List<CallTrace> traces = new CopyOnWriteArrayList<>();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        if (request.getUrl().encodedPath().equals("/v1/embeddings")) {
          release.await(20, TimeUnit.SECONDS); // held until the test ends
          return new MockResponse.Builder().body("{}").build();
        }
        return Responses.user(1);
      }
    });
    server.start();
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .maxInFlight(1)
        .governor(GovernorPolicy.builder().initialConcurrency(1).build())
        .clock(clock)
        .totalTimeout(Duration.ofMinutes(5))
        .traceListener(traces::add)
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    release.countDown();
    client.close();
    server.close();
  }

  @Test
  void aCallHeldByTheGovernorUntilItsDeadlineShowsThatWaitAndNothingInFlight() throws Exception {
    CompletableFuture<JsonNode> held = holdTheOnlySlot();

    FanoutFuture<List<Outcome<JsonNode>>> run = Fanout.settleAll(List.of("/v1/embeddings", "/users/1"),
        (path, context) -> client.json().withOptions(CallOptions.builder().timeout(DEADLINE).build())
            .callAsync(path.startsWith("/users") ? "GET" : "POST", path, path.startsWith("/users") ? null : Map.of(),
                JsonNode.class), dev.fanout.FanoutOptions.builder().clock(clock).build());
    clock.advance(DEADLINE);
    List<Outcome<JsonNode>> outcomes = run.get(10, TimeUnit.SECONDS);

    assertThat(outcomes).allSatisfy(o -> assertThat(o.error()).isInstanceOf(FanoutTimeoutException.class));
    assertThat(server.getRequestCount()).as("only the held request reached the server").isEqualTo(1);
    assertThat(held).isNotDone();

    CallTrace governed = trace("POST /v1/embeddings", Outcome.Kind.TIMED_OUT);
    assertThat(governed.durationNanos()).isEqualTo(SECOND);
    assertThat(governed.governorWaitNanos()).as("held by the governor until its deadline").isEqualTo(SECOND);
    assertThat(governed.inFlightNanos()).as("never sent").isZero();
    assertThat(governed.clientQueueNanos()).isZero();
    assertThat(governed.split()).isEqualTo(new CallTrace.Split(0, SECOND, 0, 0));
    assertThat(governed.startNanos()).as("a call that sent nothing has no start").isEmpty();
    assertThat(governed.firstByteNanos()).isEmpty();
    assertThat(governed.statusCode()).as("no response").isEmpty();
    assertThat(governed.attemptTimes()).singleElement().satisfies(a -> {
      assertThat(a.enqueuedNanos()).as("never admitted").isEmpty();
      assertThat(a.sentNanos()).isEmpty();
    });

    CallTrace queued = trace("GET /users/1", Outcome.Kind.TIMED_OUT);
    assertThat(queued.clientQueueNanos()).as("queued behind the held request").isEqualTo(SECOND);
    assertThat(queued.governorWaitNanos()).as("a queued call's queue time is not the governor's").isZero();
    assertThat(queued.inFlightNanos()).isZero();
    assertThat(queued.split()).isEqualTo(new CallTrace.Split(SECOND, 0, 0, 0));
    assertThat(queued.startNanos()).as("never left the client's queue").isEmpty();
    assertThat(queued.attemptTimes()).singleElement().satisfies(a -> {
      assertThat(a.enqueuedNanos()).as("admitted and handed to OkHttp").isPresent();
      assertThat(a.sentNanos()).isEmpty();
    });

    for (CallTrace t : List.of(governed, queued)) {
      CallTrace.Split s = t.split();
      assertThat(s.clientQueueNanos() + s.governorWaitNanos() + s.inFlightNanos())
          .as("the three parts add up to the duration").isEqualTo(t.durationNanos());
    }

    FanoutReport report = run.report();
    assertThat(report.governorWaitTime()).isEqualTo(DEADLINE);
    assertThat(report.clientQueuedTime()).isEqualTo(DEADLINE);
    assertThat(report.inFlightTime()).isZero();
    assertThat(report.entries().get(0).governorWait()).isEqualTo(DEADLINE);
    assertThat(report.entries().get(0).inFlight()).isZero();
    assertThat(report.entries().get(1).clientQueued()).isEqualTo(DEADLINE);
    assertThat(report.governor().totalWait()).isEqualTo(DEADLINE);
    assertThat(report.toString())
        .contains("in flight 0.000 s, queued for maxInFlight 1.000 s")
        .contains("held by the rate-limit governor 1.000 s (1 calls)");
    assertThat(report.toJson())
        .contains("\"governorWaitMillis\" : 1000.0", "\"clientQueuedMillis\" : 1000.0", "\"durationMillis\" : 1000.0",
            "\"inFlightMillis\" : 0.0", "\"askedMillis\" : 0.0")
        .doesNotContain("\"inFlightMillis\" : 1000.0")
        .as("phases that did not happen are left out, not written as -1")
        .doesNotContain("\"startMillis\" : -1", "\"sentMillis\"", "\"firstByteMillis\"", "\"status\"", "-1");
    assertThat(client.stats().governorWaitTotal()).as("a wait the deadline cut short counts as a governor wait")
        .isEqualTo(DEADLINE);
  }

  @Test
  void theHeldRequestIsInFlightForItsWholeRun() throws Exception {
    CompletableFuture<JsonNode> held = holdTheOnlySlot();
    clock.advance(Duration.ofSeconds(2));
    held.cancel(true);

    CallTrace t = trace("POST /v1/embeddings", Outcome.Kind.CANCELLED);
    assertThat(t.split()).isEqualTo(new CallTrace.Split(0, 0, 2 * SECOND, 0));
    assertThat(t.durationNanos()).isEqualTo(2 * SECOND);
  }

  /** Sends the request the server holds; returns once the server has it. */
  private CompletableFuture<JsonNode> holdTheOnlySlot() throws InterruptedException {
    CompletableFuture<JsonNode> held = client.json().postAsync("/v1/embeddings", Map.of(), JsonNode.class);
    assertThat(server.takeRequest(10, TimeUnit.SECONDS)).as("the held request reached the server").isNotNull();
    return held;
  }

  private CallTrace trace(String label, Outcome.Kind outcome) {
    return traces.stream().filter(t -> t.label().equals(label) && t.outcome() == outcome).findFirst()
        .orElseThrow(() -> new AssertionError("no " + outcome + " trace of " + label + " in " + traces));
  }
}
