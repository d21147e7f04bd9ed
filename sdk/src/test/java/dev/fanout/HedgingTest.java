package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.chat.ChatRequest;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hedged requests in the call path, on a {@link FakeClock}: the client's hedge timers fire only when the
 * test advances the clock, and the mock holds a "tail" request (a 60 s latency, real time) until the client
 * goes away, which the server counts as aborted. So a loser's cancel is seen at the server, not guessed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class HedgingTest {
  private static final Duration DELAY = Duration.ofMillis(200);
  private static final Duration HELD = Duration.ofSeconds(60);
  /** With a tail share of 0.5, seed 5 sends the users route's first request to the tail and the next two not. */
  private static final long FIRST_IN_TAIL_SEED = 5;

  private final FakeClock clock = FakeClock.create();
  private final ConcurrentLinkedQueue<CallTrace> traces = new ConcurrentLinkedQueue<>();

  private static MockBackend firstRequestHeld() {
    return MockBackend.builder()
        .latency(Latency.builder().delay(Duration.ofMillis(5)).seed(FIRST_IN_TAIL_SEED).tail(0.5, HELD).build())
        .start();
  }

  private static MockBackend everyRequestHeld() {
    return MockBackend.builder().latency(Latency.builder().delay(HELD).build()).start();
  }

  private FanoutClient client(MockBackend backend, HedgePolicy hedging) {
    // no default 10 min deadline: the tests count the clock's pending timers (the hedge's)
    return FanoutClient.builder().baseUrl(backend.url()).clock(clock).hedging(hedging).traceListener(traces::add)
        .totalTimeout(Duration.ZERO).build();
  }

  /** Each call earns a whole backup, so budget is not what these tests are about (except the budget's own). */
  private static HedgePolicy fixed() {
    return HedgePolicy.builder().delay(DELAY).budget(1.0).build();
  }

  /** Requests taken from the backend's log since the last {@link #reset}. */
  private int taken;

  /**
   * Takes the next request from the backend's log and waits until its counters have it too (the log records
   * a request a moment before the counters do), so a later {@code awaitIdle} or {@code reset} cannot miss it.
   */
  private ReceivedRequest arrived(MockBackend backend) throws InterruptedException {
    ReceivedRequest r = backend.takeRequest(10, TimeUnit.SECONDS);
    assertThat(r).as("a request arrived at the server").isNotNull();
    taken++;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (backend.stats().totalRequests() < taken && System.nanoTime() < until) {
      TimeUnit.MILLISECONDS.sleep(2);
    }
    assertThat(backend.stats().totalRequests()).as("the backend counted it").isGreaterThanOrEqualTo(taken);
    return r;
  }

  private void reset(MockBackend backend) throws InterruptedException {
    backend.awaitIdle(Duration.ofSeconds(10));
    backend.reset();
    taken = 0;
  }

  private CallTrace onlyTrace() {
    assertThat(traces).hasSize(1);
    return traces.peek();
  }

  @Test
  void aBackupIsSentAtTheDelayItsResponseWinsAndTheHeldLoserIsCancelledAtTheServer() throws Exception {
    try (MockBackend backend = firstRequestHeld(); FanoutClient client = client(backend, fixed())) {
      CompletableFuture<User> user = client.users().getAsync(7);
      arrived(backend);
      assertThat(clock.scheduledDelays()).contains(DELAY);

      clock.advance(DELAY.minusMillis(1));
      assertThat(backend.takeRequest(200, TimeUnit.MILLISECONDS)).as("no backup before the delay").isNull();
      clock.advance(Duration.ofMillis(1));
      ReceivedRequest backup = arrived(backend);

      assertThat(backup.path()).isEqualTo("/users/7");
      assertThat(user.get(10, TimeUnit.SECONDS).id()).isEqualTo(7);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));
      assertThat(stats.faults(Stats.TAIL_LATENCY)).as("only the first request was held").isEqualTo(1);
      assertThat(stats.requests(Routes.USERS)).isEqualTo(2);
      assertThat(stats.aborted()).as("the held first request, cancelled at the socket").isEqualTo(1);
      assertThat(stats.completed()).isEqualTo(1);
      CallTrace trace = onlyTrace();
      assertThat(trace.attempts()).as("a hedge is not an attempt").isEqualTo(1);
      assertThat(trace.hedgesSent()).isEqualTo(1).isEqualTo(client.stats().hedgesSent());
      assertThat(trace.hedgesWon()).isEqualTo(1);
      assertThat(trace.ok()).isTrue();
    }
  }

  @Test
  void aCallThatAnswersBeforeTheDelaySendsNoBackup() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofMillis(5)));
        FanoutClient client = client(backend, fixed())) {
      client.users().getAsync(1).get(10, TimeUnit.SECONDS);
      clock.advance(Duration.ofSeconds(5));

      assertThat(backend.awaitIdle(Duration.ofSeconds(10)).requests(Routes.USERS)).isEqualTo(1);
      assertThat(onlyTrace().hedgesSent()).isZero();
      assertThat(client.stats().hedgesSent()).isZero();
      assertThat(clock.pendingTasks()).as("the hedge timer was cancelled").isZero();
    }
  }

  @Test
  void theBudgetCapsHedgesAtItsShareOfCalls() throws Exception {
    int calls = 20;
    try (MockBackend backend = everyRequestHeld();
        FanoutClient client = client(backend, HedgePolicy.fixed(DELAY))) { // the default budget, 10%
      List<CompletableFuture<User>> futures = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        futures.add(client.users().getAsync(i + 1));
      }
      for (int i = 0; i < calls; i++) {
        arrived(backend);
      }
      clock.advance(DELAY);
      clock.advance(Duration.ofSeconds(10));
      arrived(backend);
      arrived(backend); // the two hedges 20 calls earn; the traces below say no more were sent
      futures.forEach(f -> f.cancel(true));

      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));
      long hedges = traces.stream().mapToLong(CallTrace::hedgesSent).sum();
      assertThat(traces).hasSize(calls);
      assertThat(hedges).as("20 calls earn 2 backups at 10%").isEqualTo(2).isEqualTo(client.stats().hedgesSent());
      assertThat(stats.requests(Routes.USERS)).isEqualTo(calls + hedges);
      assertThat(stats.aborted()).as("every request cancelled at the server").isEqualTo(calls + hedges);
    }
  }

  @Test
  void aNonIdempotentCallIsNeverHedgedUnlessMarked() throws Exception {
    ChatRequest request = ChatRequest.builder().model("m").addUserMessage("hi").build();
    try (MockBackend backend = everyRequestHeld(); FanoutClient client = client(backend, fixed())) {
      CompletableFuture<?> post = client.chat().createAsync(request);
      arrived(backend);
      clock.advance(Duration.ofSeconds(5));
      post.cancel(true);
      assertThat(backend.awaitIdle(Duration.ofSeconds(10)).requests(Routes.CHAT)).isEqualTo(1);
      assertThat(onlyTrace().hedgesSent()).isZero();

      traces.clear();
      reset(backend);
      CompletableFuture<?> marked = client.chat().withOptions(CallOptions.builder().idempotent(true).build())
          .createAsync(request);
      arrived(backend);
      clock.advance(DELAY);
      arrived(backend);
      marked.cancel(true);
      assertThat(backend.awaitIdle(Duration.ofSeconds(10)).aborted()).isEqualTo(2);
      assertThat(onlyTrace().hedgesSent()).isEqualTo(1);
    }
  }

  @Test
  void hedgingIsOffByDefaultAndACallMayTurnItOn() throws Exception {
    assertThat(FanoutClient.DEFAULT_HEDGING.enabled()).isFalse();
    // Off for the client, but with a budget that lets one call earn one backup: a call's own policy uses it.
    HedgePolicy offWithBudget = HedgePolicy.builder().enabled(false).budget(1.0).build();
    try (MockBackend backend = everyRequestHeld(); FanoutClient client = client(backend, offWithBudget)) {
      CompletableFuture<User> plain = client.users().getAsync(1);
      arrived(backend);
      clock.advance(Duration.ofSeconds(5));
      plain.cancel(true);
      assertThat(onlyTrace().hedgesSent()).isZero();

      traces.clear();
      CompletableFuture<User> hedged = client.users().withOptions(CallOptions.builder().hedging(fixed()).build())
          .getAsync(2);
      arrived(backend);
      clock.advance(DELAY);
      arrived(backend);
      hedged.cancel(true);
      assertThat(onlyTrace().hedgesSent()).isEqualTo(1);
    }
  }

  @Test
  void cancellingTheCallCancelsTheFirstRequestAndItsHedgeAtTheServer() throws Exception {
    try (MockBackend backend = everyRequestHeld(); FanoutClient client = client(backend, fixed())) {
      CompletableFuture<User> user = client.users().getAsync(1);
      arrived(backend);
      clock.advance(DELAY);
      arrived(backend);

      user.cancel(true);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));
      assertThat(stats.aborted()).isEqualTo(2);
      assertThat(clock.pendingTasks()).isZero();
      assertThat(onlyTrace().outcome()).isEqualTo(Outcome.Kind.CANCELLED);
    }
  }

  @Test
  void theDeadlineCancelsEveryRequestOfTheCall() throws Exception {
    try (MockBackend backend = everyRequestHeld(); FanoutClient client = client(backend, fixed())) {
      CompletableFuture<User> user = client.users()
          .withOptions(CallOptions.builder().timeout(Duration.ofSeconds(1)).build()).getAsync(1);
      arrived(backend);
      clock.advance(DELAY);
      arrived(backend);
      clock.advance(Duration.ofSeconds(1));

      assertThatThrownBy(() -> user.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(FanoutTimeoutException.class);
      assertThat(backend.awaitIdle(Duration.ofSeconds(10)).aborted()).isEqualTo(2);
      assertThat(onlyTrace().hedgesSent()).isEqualTo(1);
      assertThat(onlyTrace().hedgesWon()).isZero();
    }
  }

  @Test
  void atMostMaxBackupsPerAttemptEachAfterTheDelay() throws Exception {
    HedgePolicy two = HedgePolicy.builder().delay(DELAY).maxBackups(2).budget(1.0).build();
    try (MockBackend backend = everyRequestHeld(); FanoutClient client = client(backend, two)) {
      // Each call earns one backup at a budget of 1.0: an earlier call, cancelled unhedged, banks one more.
      CompletableFuture<User> earlier = client.users().getAsync(99);
      arrived(backend);
      earlier.cancel(true);
      reset(backend);
      traces.clear();

      CompletableFuture<User> user = client.users().getAsync(1);
      arrived(backend);
      clock.advance(DELAY);
      arrived(backend);
      clock.advance(DELAY);
      arrived(backend);
      clock.advance(Duration.ofSeconds(10));
      user.cancel(true);

      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));
      assertThat(stats.requests(Routes.USERS)).isEqualTo(3);
      assertThat(onlyTrace().hedgesSent()).isEqualTo(2).isEqualTo(client.stats().hedgesSent());
      assertThat(onlyTrace().hedgesWon()).isZero();
    }
  }

  @Test
  void aFanOutReportCountsHedgesSentAndWon() throws Exception {
    try (MockBackend backend = firstRequestHeld(); FanoutClient client = client(backend, fixed())) {
      FanoutFuture<List<User>> run = Fanout.all(List.of(7L), (id, ctx) -> client.users().withContext(ctx).getAsync(id), FanoutOptions.defaults());
      arrived(backend);
      clock.advance(DELAY);
      arrived(backend);
      run.get(10, TimeUnit.SECONDS);

      FanoutReport report = run.report();
      assertThat(report.hedgesSent()).isEqualTo(1);
      assertThat(report.hedgesWon()).isEqualTo(1);
      assertThat(report.entries().get(0).hedgesSent()).isEqualTo(1);
      assertThat(report.toJson()).contains("\"hedgesSent\" : 1", "\"hedgesWon\" : 1");
    }
  }

  @Test
  void aFastFailureOfTheFirstRequestIsRetriedNotHedged() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(Responses.json(503, "{\"error\":\"busy\"}"));
      server.enqueue(Responses.user(1));
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).clock(clock)
          .hedging(fixed()).traceListener(traces::add).totalTimeout(Duration.ZERO).build()) {
        CompletableFuture<User> user = client.users().getAsync(1);
        // The 503 ends the attempt: its hedge timer is cancelled and the retry's backoff is scheduled. The hedge
        // timer is armed once the request is handed to OkHttp, so on a fast machine the 503's backoff can be
        // scheduled first: the two are told apart by value, not by order.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((clock.scheduledDelays().size() < 2 || clock.pendingTasks() != 1) && System.nanoTime() < until) {
          TimeUnit.MILLISECONDS.sleep(2);
        }
        assertThat(clock.scheduledDelays()).hasSize(2).contains(DELAY);
        assertThat(clock.pendingTasks()).as("only the backoff; the first attempt's hedge timer is gone").isEqualTo(1);
        Duration backoff = clock.scheduledDelays().get(0).equals(DELAY)
            ? clock.scheduledDelays().get(1) : clock.scheduledDelays().get(0);
        clock.advance(backoff);

        assertThat(user.get(10, TimeUnit.SECONDS).id()).isEqualTo(1);
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(onlyTrace().attempts()).isEqualTo(2);
        assertThat(onlyTrace().hedgesSent()).isZero();
        assertThat(clock.scheduledDelays().get(2)).as("the retry is hedged in its turn").isEqualTo(DELAY);
      }
    }
  }

  @Test
  void aFailingHedgeDoesNotFailTheCallWhileTheFirstRequestRuns() throws Exception {
    // The first request to reach the dispatcher is answered, a 200, only once the hedge has been answered with a
    // 503; the hedge is sent only after the first request was dispatched. Which request gets which answer does
    // not depend on how the server's threads are scheduled, and no answer waits on the wall clock.
    CountDownLatch firstDispatched = new CountDownLatch(1);
    CountDownLatch hedgeAnswered = new CountDownLatch(1);
    AtomicInteger dispatched = new AtomicInteger();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
          if (dispatched.getAndIncrement() == 0) {
            firstDispatched.countDown();
            hedgeAnswered.await(10, TimeUnit.SECONDS);
            return Responses.user(1);
          }
          hedgeAnswered.countDown();
          return Responses.json(503, "{\"error\":\"busy\"}");
        }
      });
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).clock(clock)
          .hedging(fixed()).traceListener(traces::add).totalTimeout(Duration.ZERO).build()) {
        CompletableFuture<User> user = client.users().getAsync(1);
        assertThat(firstDispatched.await(10, TimeUnit.SECONDS)).as("the first request reached the dispatcher").isTrue();
        clock.advance(DELAY);
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).as("the hedge").isNotNull();

        assertThat(user.get(10, TimeUnit.SECONDS).id()).isEqualTo(1);
        CallTrace trace = onlyTrace();
        assertThat(trace.ok()).isTrue();
        assertThat(trace.attempts()).as("the hedge's 503 was not a failed attempt").isEqualTo(1);
        assertThat(trace.hedgesSent()).isEqualTo(1);
        assertThat(trace.hedgesWon()).isZero();
        assertThat(server.getRequestCount()).isEqualTo(2);
      }
    }
  }

  @Test
  void aFailureOfTheFirstRequestWaitsForItsRunningHedgeWhichThenWins() throws Exception {
    // The first request to reach the dispatcher gets the 503 (300 ms, real time, after the hedge is sent), the
    // second the 200 (after 1 s); the hedge is sent only once the first request was dispatched, so which
    // request gets which answer does not depend on how the server's threads are scheduled.
    CountDownLatch firstDispatched = new CountDownLatch(1);
    AtomicInteger dispatched = new AtomicInteger();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          if (dispatched.getAndIncrement() == 0) {
            firstDispatched.countDown();
            return Responses.json(503, "{\"error\":\"busy\"}").newBuilder()
                .headersDelay(300, TimeUnit.MILLISECONDS).build();
          }
          return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
              .body("{\"id\":1,\"name\":\"User 1\",\"email\":\"user1@example.com\"}")
              .headersDelay(1, TimeUnit.SECONDS).build();
        }
      });
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).clock(clock)
          .hedging(fixed()).retryPolicy(RetryPolicy.none()).traceListener(traces::add)
          .totalTimeout(Duration.ZERO).build()) {
        CompletableFuture<User> user = client.users().getAsync(1);
        assertThat(firstDispatched.await(10, TimeUnit.SECONDS)).as("the first request reached the dispatcher").isTrue();
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
        clock.advance(DELAY);
        assertThat(server.takeRequest(10, TimeUnit.SECONDS)).as("the hedge").isNotNull();

        assertThat(user.get(10, TimeUnit.SECONDS).id()).as("the 503 waited for the hedge").isEqualTo(1);
        CallTrace trace = onlyTrace();
        assertThat(trace.attempts()).isEqualTo(1);
        assertThat(trace.hedgesSent()).isEqualTo(1);
        assertThat(trace.hedgesWon()).isEqualTo(1);
      }
    }
  }

  @Test
  void aFailureWithNoHedgeRunningFailsTheAttemptAtOnceAndNoBackupFollows() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(Responses.json(503, "{\"error\":\"busy\"}"));
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).clock(clock)
          .hedging(fixed()).retryPolicy(RetryPolicy.none()).traceListener(traces::add)
          .totalTimeout(Duration.ZERO).build()) {
        CompletableFuture<User> user = client.users().getAsync(1);
        assertThatThrownBy(() -> user.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(dev.fanout.errors.ServerException.class);
        assertThat(clock.pendingTasks()).as("the hedge timer went with the attempt").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(server.getRequestCount()).as("no backup after the attempt failed").isEqualTo(1);
        assertThat(onlyTrace().hedgesSent()).isZero();
      }
    }
  }
}
