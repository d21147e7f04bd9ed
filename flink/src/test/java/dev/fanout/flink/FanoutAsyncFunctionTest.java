package dev.fanout.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClientSpec;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.NotFoundException;
import dev.fanout.errors.ServerException;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The function against a fake {@code ResultFuture} and a simulated backend: no Flink cluster. */
@Timeout(30)
class FanoutAsyncFunctionTest {
  /** The futures the calls returned, so a test can see whether the function cancelled them. */
  private static final ConcurrentLinkedQueue<CompletableFuture<?>> STARTED = new ConcurrentLinkedQueue<>();

  private static final RetryPolicy FAST_RETRIES =
      RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5)).build();

  private static final FanoutClientSpec LOCAL = FanoutClientSpec.builder().baseUrl("http://localhost:1").build();

  private MockBackend backend;
  private FanoutAsyncFunction<Long, ?> opened;

  @BeforeEach
  void clear() {
    STARTED.clear();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (opened != null) {
      opened.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private FanoutAsyncConfig config(Duration timeout) {
    return FanoutAsyncConfig.builder()
        .spec(FanoutClientSpec.builder().baseUrl(backend.url()).maxInFlight(8).retryPolicy(FAST_RETRIES).build())
        .timeout(timeout)
        .build();
  }

  private static CompletableFuture<User> lookup(dev.fanout.FanoutClient client, Long id) {
    CompletableFuture<User> f = client.users().getAsync(id);
    STARTED.add(f);
    return f;
  }

  private <OUT> FanoutAsyncFunction<Long, OUT> open(FanoutAsyncFunction<Long, OUT> fn) throws Exception {
    return open(fn, new MockStreamingRuntimeContext(1, 0));
  }

  private <OUT> FanoutAsyncFunction<Long, OUT> open(FanoutAsyncFunction<Long, OUT> fn, RuntimeContext context)
      throws Exception {
    // as Flink does: the function reaches the task manager serialized, then opens there
    FanoutAsyncFunction<Long, OUT> copy = InstantiationUtil.clone(fn);
    copy.setRuntimeContext(context);
    copy.open(DefaultOpenContext.INSTANCE);
    opened = copy;
    return copy;
  }

  @Test
  void successCompletesWithTheValue() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofMillis(5)));
    FanoutAsyncFunction<Long, User> fn =
        open(FanoutAsyncFunction.of(config(Duration.ofSeconds(10)), FanoutAsyncFunctionTest::lookup));

    RecordingResultFuture<User> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(7L, rf);

    assertThat(rf.result.get(5, TimeUnit.SECONDS)).singleElement().extracting(User::id).isEqualTo(7L);
    assertThat(rf.completions).hasValue(1);
    assertThat(fn.inFlight()).isZero();
    assertThat(backend.stats().requests(Routes.USERS)).isEqualTo(1);
  }

  @Test
  void failureAfterSdkRetriesCompletesExceptionally() throws Exception {
    backend = MockBackend.builder()
        .latency(Latency.fixed(Duration.ofMillis(1)))
        .faults(Faults.builder().errorRate(1.0).build())
        .start();
    FanoutAsyncFunction<Long, User> fn =
        open(FanoutAsyncFunction.of(config(Duration.ofSeconds(10)), FanoutAsyncFunctionTest::lookup));

    RecordingResultFuture<User> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(7L, rf);

    assertThatThrownBy(() -> rf.result.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.attempts()).isEqualTo(3));
    assertThat(backend.stats().requests(Routes.USERS)).isEqualTo(3);
    assertThat(rf.completions).hasValue(1);
  }

  @Test
  void fallbackReplacesAFailure() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofMillis(1)));
    FanoutAsyncFunction<Long, String> fn = open(FanoutAsyncFunction.withFallback(
        config(Duration.ofSeconds(10)),
        (client, id) -> client.json().getAsync("users/" + id, User.class).thenApply(User::name),
        (id, error) -> "fallback for " + id + ": " + error.getClass().getSimpleName()));

    // the mock answers 404 for a non-positive id, which the SDK does not retry
    RecordingResultFuture<String> missing = new RecordingResultFuture<>();
    fn.asyncInvoke(-1L, missing);
    RecordingResultFuture<String> found = new RecordingResultFuture<>();
    fn.asyncInvoke(3L, found);

    assertThat(missing.result.get(5, TimeUnit.SECONDS)).containsExactly("fallback for -1: NotFoundException");
    assertThat(found.result.get(5, TimeUnit.SECONDS)).singleElement().asString().isNotBlank().doesNotStartWith("fallback");
  }

  @Test
  void outcomesKeepEveryFailureAsARecord() throws Exception {
    backend = MockBackend.builder()
        .latency(Latency.fixed(Duration.ofMillis(1)))
        .faults(Faults.builder().errorRate(1.0).build())
        .start();
    FanoutAsyncFunction<Long, CallOutcome<Long, User>> fn =
        open(FanoutAsyncFunction.outcomes(config(Duration.ofSeconds(10)), FanoutAsyncFunctionTest::lookup));

    RecordingResultFuture<CallOutcome<Long, User>> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(5L, rf);

    CallOutcome<Long, User> outcome = rf.result.get(5, TimeUnit.SECONDS).iterator().next();
    assertThat(outcome.isSuccess()).isFalse();
    assertThat(outcome.input()).isEqualTo(5L);
    assertThat(outcome.errorType()).isEqualTo(ServerException.class.getName());
    assertThatThrownBy(outcome::getOrThrow).hasMessageContaining("call for 5 failed");
  }

  @Test
  void aCallThatThrowsIsAFailedElement() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofMillis(1)));
    FanoutAsyncFunction<Long, CallOutcome<Long, User>> fn =
        open(FanoutAsyncFunction.outcomes(config(Duration.ofSeconds(10)), FanoutAsyncFunctionTest::lookup));

    RecordingResultFuture<CallOutcome<Long, User>> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(0L, rf); // the SDK rejects id < 1 synchronously

    CallOutcome<Long, User> outcome = rf.result.get(5, TimeUnit.SECONDS).iterator().next();
    assertThat(outcome.errorType()).isEqualTo(IllegalArgumentException.class.getName());
    assertThat(backend.stats().totalRequests()).isZero();
  }

  @Test
  void timeoutCancelsTheHttpCall() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(20)));
    FanoutAsyncFunction<Long, User> fn =
        open(FanoutAsyncFunction.of(config(Duration.ofSeconds(25)), FanoutAsyncFunctionTest::lookup));

    RecordingResultFuture<User> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(7L, rf);
    awaitTrue(() -> backend.stats().inFlight() == 1);

    fn.timeout(7L, rf); // what Flink calls when its timer fires

    assertThatThrownBy(() -> rf.result.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(FanoutTimeoutException.class)
        .hasMessageContaining("Flink async timeout of PT25S");
    assertThat(STARTED).singleElement().satisfies(f -> assertThat(f.isCancelled()).isTrue());
    awaitTrue(() -> backend.stats().aborted() == 1 && backend.stats().inFlight() == 0);
    assertThat(backend.stats().completed()).isZero();
    assertThat(fn.inFlight()).isZero();
    assertThat(rf.completions).hasValue(1);
  }

  @Test
  void timeoutGoesThroughTheFallback() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(20)));
    FanoutAsyncFunction<Long, CallOutcome<Long, User>> fn =
        open(FanoutAsyncFunction.outcomes(config(Duration.ofSeconds(25)), FanoutAsyncFunctionTest::lookup));

    RecordingResultFuture<CallOutcome<Long, User>> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(7L, rf);
    awaitTrue(() -> backend.stats().inFlight() == 1);
    fn.timeout(7L, rf);

    assertThat(rf.result.get(5, TimeUnit.SECONDS)).singleElement()
        .satisfies(o -> assertThat(o.errorType()).isEqualTo(FanoutTimeoutException.class.getName()));
    awaitTrue(() -> backend.stats().aborted() == 1);
  }

  @Test
  void theSdkTotalTimeoutEndsASlowCallBeforeFlinkWould() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(20)));
    FanoutAsyncConfig config = config(Duration.ofMillis(500)); // SDK call timeout: 450 ms
    FanoutAsyncFunction<Long, User> fn = open(FanoutAsyncFunction.of(config, FanoutAsyncFunctionTest::lookup));

    RecordingResultFuture<User> rf = new RecordingResultFuture<>();
    long start = System.nanoTime();
    fn.asyncInvoke(7L, rf);

    assertThatThrownBy(() -> rf.result.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(FanoutTimeoutException.class);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(400).isLessThan(5_000);
    awaitTrue(() -> backend.stats().aborted() == 1);
  }

  @Test
  void aLateTimeoutAfterTheResultIsIgnored() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofMillis(1)));
    FanoutAsyncFunction<Long, User> fn =
        open(FanoutAsyncFunction.of(config(Duration.ofSeconds(10)), FanoutAsyncFunctionTest::lookup));

    RecordingResultFuture<User> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(7L, rf);
    rf.result.get(5, TimeUnit.SECONDS);
    fn.timeout(7L, rf);

    assertThat(rf.completions).hasValue(1);
    assertThat(rf.result).isCompletedWithValueMatching(list -> list.size() == 1);
  }

  @Test
  void closeCancelsCallsInFlightWithoutCompletingThem() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(20)));
    FanoutAsyncFunction<Long, User> fn =
        open(FanoutAsyncFunction.of(config(Duration.ofSeconds(25)), FanoutAsyncFunctionTest::lookup));
    RecordingResultFuture<User> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(7L, rf);
    awaitTrue(() -> backend.stats().inFlight() == 1);

    fn.close();
    opened = null;

    assertThat(STARTED).singleElement().satisfies(f -> assertThat(f).isCompletedExceptionally());
    awaitTrue(() -> backend.stats().aborted() == 1);
    assertThat(rf.completions).hasValue(0);
  }

  @Test
  void asyncInvokeBeforeOpenIsAnError() {
    FanoutAsyncFunction<Long, User> fn = FanoutAsyncFunction.of(
        FanoutAsyncConfig.builder().spec(LOCAL).build(), FanoutAsyncFunctionTest::lookup);
    assertThatThrownBy(() -> fn.asyncInvoke(1L, new RecordingResultFuture<>()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("before open()");
  }

  @Test
  void notFoundIsNotRetried() throws Exception {
    backend = MockBackend.start(Latency.fixed(Duration.ofMillis(1)));
    FanoutAsyncFunction<Long, User> fn = open(FanoutAsyncFunction.of(
        config(Duration.ofSeconds(10)), (client, id) -> client.json().getAsync("users/" + id, User.class)));
    RecordingResultFuture<User> rf = new RecordingResultFuture<>();
    fn.asyncInvoke(-1L, rf);
    assertThatThrownBy(() -> rf.result.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(NotFoundException.class);
    assertThat(backend.stats().requests(Routes.USERS)).isEqualTo(1);
  }

  @Test
  void aCallThatCapturesAClientCannotTravelInTheJobGraph() throws Exception {
    try (dev.fanout.FanoutClient captured = dev.fanout.FanoutClient.builder().baseUrl("http://localhost:1").build()) {
      FanoutAsyncFunction<Long, User> wrong = FanoutAsyncFunction.of(
          FanoutAsyncConfig.builder().spec(LOCAL).build(),
          (client, id) -> captured.users().getAsync(id));
      FanoutAsyncFunction<Long, User> right = FanoutAsyncFunction.of(
          FanoutAsyncConfig.builder().spec(LOCAL).build(),
          (client, id) -> client.users().getAsync(id));

      assertThat(InstantiationUtil.isSerializable(right)).isTrue();
      assertThatThrownBy(() -> InstantiationUtil.serializeObject(wrong))
          .isInstanceOf(java.io.NotSerializableException.class)
          .hasMessageContaining("FanoutClient");
    }
  }

  /** Waits for a condition the code under test brings about; fails the test if it never holds. */
  static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
