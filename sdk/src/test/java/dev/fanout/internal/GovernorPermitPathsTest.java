package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.CallOptions;
import dev.fanout.FanoutClient;
import dev.fanout.GovernorPolicy;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.internal.governor.BucketStats;
import dev.fanout.internal.governor.Governor;
import dev.fanout.internal.governor.GovernorKey;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every path an attempt can take gives its governor permit back exactly once, and a call that gives up
 * while it waits for the governor gives its place up: success, an error status, a 429, an attempt timeout,
 * the caller's cancel (in flight and while waiting), the deadline while waiting, and the client's close.
 * The bucket admits one call at a time (a cold-start probe of 1), so a second call provably waits; time is
 * a {@link FakeClock}; the server's request count says what was sent.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class GovernorPermitPathsTest {
  private final MockWebServer server = new MockWebServer();
  private final FakeClock clock = FakeClock.create();
  private final AtomicInteger requests = new AtomicInteger();
  private final CountDownLatch slowRelease = new CountDownLatch(1);
  private Governor governor;
  private HttpEngine engine;
  private OkHttpClient okHttp;

  @BeforeEach
  void setUp() throws Exception {
    server.setDispatcher(new mockwebserver3.Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        requests.incrementAndGet();
        String path = request.getUrl().encodedPath();
        String answer = request.getHeaders().get("x-answer");
        if ("spend-cap".equals(answer)) { // Anthropic's, as its errors page shows it: no retry-after
          return new MockResponse.Builder().code(429).setHeader("Content-Type", "application/json")
              .body("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"You have "
                  + "reached your tier's spend cap.\",\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}},"
                  + "\"request_id\":\"req_cap\"}").build();
        }
        if ("rate-limit".equals(answer)) { // the same 429 without the spend cap's details: a real rate limit
          return new MockResponse.Builder().code(429).setHeader("Content-Type", "application/json")
              .body("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of "
                  + "requests has exceeded your per-minute rate limit\"},\"request_id\":\"req_limit\"}").build();
        }
        switch (path) {
          case "/slow":
            slowRelease.await(20, TimeUnit.SECONDS);
            return new MockResponse.Builder().code(200).body("{}").build();
          case "/error":
            return new MockResponse.Builder().code(500).body("{}").build();
          case "/limited":
            return new MockResponse.Builder().code(429).setHeader("retry-after-ms", "0").body("{}").build();
          default:
            return new MockResponse.Builder().code(200).body("{}").build();
        }
      }
    });
    server.start();
    engine(Duration.ZERO);
  }

  private void engine(Duration attemptTimeout) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(16);
    dispatcher.setMaxRequestsPerHost(16);
    okHttp = new OkHttpClient.Builder().dispatcher(dispatcher).build();
    // capped at 1 from the first call (these REST routes would otherwise start open): a held call holds the slot
    governor = Governor.create(GovernorPolicy.builder().initialConcurrency(1).capBeforeFirstLimit(true).pauseJitter(0)
        .build(), 16, clock,
        () -> 0.0);
    engine = HttpEngine.builder()
        .okHttp(okHttp)
        .baseUrl(server.url("/"))
        .retryPolicy(RetryPolicy.none())
        .totalTimeout(FanoutClient.DEFAULT_TOTAL_TIMEOUT)
        .attemptTimeout(attemptTimeout)
        .streamIdleTimeout(FanoutClient.DEFAULT_STREAM_IDLE_TIMEOUT)
        .maxResponseBytes(FanoutClient.DEFAULT_MAX_RESPONSE_BYTES)
        .clock(clock)
        .scopeOf(context -> null) // no call here runs in a fan-out: every context is FanoutContext.none()
        .gate(GovernorGate.of(governor))
        .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    slowRelease.countDown();
    engine.close();
    okHttp.dispatcher().cancelAll();
    okHttp.dispatcher().executorService().shutdown();
    okHttp.connectionPool().evictAll();
    server.close();
  }

  private CompletableFuture<String> call(String path, Duration timeout) {
    CallOptions options = timeout == null ? CallOptions.defaults() : CallOptions.builder().timeout(timeout).build();
    return engine.start(engine.request("GET", engine.resolve(path), null).build(),
        (response, call) -> response.body().string(), options);
  }

  private CompletableFuture<String> answered(String path, String answer) {
    return engine.start(engine.request("GET", engine.resolve(path), null).header("x-answer", answer).build(),
        (response, call) -> response.body().string(), CallOptions.defaults());
  }

  private BucketStats stats(String path) {
    return governor.stats(new GovernorKey(server.getHostName() + ":" + server.getPort(), path, GovernorGate.isModelApi(path)));
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean() && System.nanoTime() < until) {
      Thread.sleep(2);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }

  /** Starts a call to /slow that holds the bucket's one slot at the server, and one that waits behind it. */
  private CompletableFuture<String> holdTheSlot() throws InterruptedException {
    CompletableFuture<String> holder = call("/slow", null);
    eventually(() -> requests.get() == 1);
    assertThat(stats("/slow").inFlight()).isEqualTo(1);
    return holder;
  }

  @Test
  void aSuccessGivesThePermitBack() throws Exception {
    assertThat(call("/ok", null).get(10, TimeUnit.SECONDS)).isEqualTo("{}");
    assertThat(stats("/ok").inFlight()).isZero();
    assertThat(stats("/ok").admitted()).isEqualTo(1);
  }

  @Test
  void anErrorStatusAndA429GiveThePermitBack() throws Exception {
    assertThatThrownBy(() -> call("/error", null).get(10, TimeUnit.SECONDS)).cause().isInstanceOf(ServerException.class);
    assertThat(stats("/error").inFlight()).isZero();
    assertThatThrownBy(() -> call("/limited", null).get(10, TimeUnit.SECONDS)).cause()
        .isInstanceOf(RateLimitedException.class);
    assertThat(stats("/limited").inFlight()).isZero();
    assertThat(stats("/limited").rateLimited()).isEqualTo(1);
  }

  @Test
  void anthropicsSpendCap429GivesThePermitBackWithoutPausingTheBucket() throws Exception {
    // A rate-limit 429 without retry-after pauses its bucket: the next call waits for the clock.
    assertThatThrownBy(() -> answered("/throttled", "rate-limit").get(10, TimeUnit.SECONDS)).cause()
        .isInstanceOf(RateLimitedException.class);
    assertThat(stats("/throttled").rateLimited()).isEqualTo(1);
    assertThat(stats("/throttled").pausedFor()).isEqualTo(GovernorPolicy.DEFAULT_PAUSE_WITHOUT_RETRY_AFTER);
    CompletableFuture<String> paused = answered("/throttled", "ok");
    assertThat(stats("/throttled").queued()).isEqualTo(1);
    clock.advance(GovernorPolicy.DEFAULT_PAUSE_WITHOUT_RETRY_AFTER);
    assertThat(paused.get(10, TimeUnit.SECONDS)).isEqualTo("{}");

    // The spend cap's 429 says nothing about the rate: the slot comes back, nothing pauses, nothing counts.
    assertThatThrownBy(() -> answered("/capped", "spend-cap").get(10, TimeUnit.SECONDS)).cause()
        .isInstanceOfSatisfying(RateLimitedException.class,
            e -> assertThat(e.body()).contains("enforced_spend_limit_reached"));
    assertThat(stats("/capped").inFlight()).isZero();
    assertThat(stats("/capped").rateLimited()).isZero();
    assertThat(stats("/capped").pausedFor()).isEqualTo(Duration.ZERO);
    CompletableFuture<String> next = answered("/capped", "ok");
    assertThat(stats("/capped").queued()).as("admitted at once, the clock never advanced").isZero();
    assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("{}");
    assertThat(stats("/capped").admitted()).isEqualTo(2);
  }

  @Test
  void anAttemptTimeoutGivesThePermitBack() throws Exception {
    engine.close();
    engine(Duration.ofSeconds(1));
    CompletableFuture<String> slow = call("/slow", null);
    eventually(() -> requests.get() == 1);
    clock.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> slow.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(FanoutTimeoutException.class);
    assertThat(stats("/slow").inFlight()).isZero();
  }

  @Test
  void theCallersCancelInFlightGivesThePermitBack() throws Exception {
    CompletableFuture<String> slow = holdTheSlot();
    slow.cancel(true);
    // The cancelled OkHttp call reports its failure on its own thread; the permit comes back then.
    eventually(() -> stats("/slow").inFlight() == 0);
    assertThat(call("/ok", null).get(10, TimeUnit.SECONDS)).isEqualTo("{}");
  }

  @Test
  void theCallersCancelWhileWaitingGivesThePlaceUpAndNothingIsSent() throws Exception {
    CompletableFuture<String> holder = holdTheSlot();
    CompletableFuture<String> waiting = call("/slow", null);
    assertThat(stats("/slow").queued()).isEqualTo(1);

    waiting.cancel(true);

    assertThat(stats("/slow").queued()).as("the waiter left the governor's queue").isZero();
    slowRelease.countDown();
    assertThat(holder.get(10, TimeUnit.SECONDS)).isEqualTo("{}");
    assertThat(stats("/slow").inFlight()).isZero();
    assertThat(stats("/slow").admitted()).as("the cancelled waiter was never admitted").isEqualTo(1);
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void theDeadlinePassingWhileWaitingFailsTheCallAndGivesThePlaceUp() throws Exception {
    CompletableFuture<String> holder = holdTheSlot();
    CompletableFuture<String> waiting = call("/slow", Duration.ofSeconds(2));
    assertThat(stats("/slow").queued()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(2));

    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(FanoutTimeoutException.class);
    assertThat(stats("/slow").queued()).isZero();
    slowRelease.countDown();
    holder.get(10, TimeUnit.SECONDS);
    assertThat(stats("/slow").inFlight()).isZero();
    assertThat(stats("/slow").admitted()).isEqualTo(1);
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void closingTheClientFailsEveryWaiterOnceAndAdmitsNothingMore() throws Exception {
    CompletableFuture<String> holder = holdTheSlot();
    CompletableFuture<String> waiting1 = call("/slow", null);
    CompletableFuture<String> waiting2 = call("/slow", null);
    assertThat(stats("/slow").queued()).isEqualTo(2);

    engine.close();

    for (CompletableFuture<String> f : java.util.List.of(holder, waiting1, waiting2)) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(FanoutCancelledException.class);
    }
    assertThat(stats("/slow").queued()).isZero();
    eventually(() -> stats("/slow").inFlight() == 0);
    assertThat(stats("/slow").admitted()).as("no waiter was admitted on the way out").isEqualTo(1);
    // A later admission fails at once.
    CompletableFuture<AttemptGate.Permit> late = GovernorGate.of(governor).acquire(
        engine.request("GET", engine.resolve("/slow"), null).build(), 1);
    assertThat(late).isCompletedExceptionally();
    slowRelease.countDown();
    assertThat(requests.get()).isEqualTo(1);
  }
}
