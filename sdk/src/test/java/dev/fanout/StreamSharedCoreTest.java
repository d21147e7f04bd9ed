package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.testing.FakeClock;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stream and the list combinators end the same way, because they share one deadline, one cancel and
 * one start-and-release of each input ({@code RunCore}): a deadline on the injected clock ends the calls in
 * flight down to the socket with the same exception type and outcome kind in either form, and a cancel
 * racing the tasks' completions accounts for every input exactly once in either form.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class StreamSharedCoreTest {
  private static final long WAIT = 20; // seconds: generous bounds on blocking waits, never a sleep

  @Test
  void aDeadlineOnTheFakeClockEndsTheStreamsCallsAsItEndsTheListForms() throws Exception {
    FakeClock clock = FakeClock.create();
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(30)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).retryPolicy(RetryPolicy.none())
            .governor(GovernorPolicy.disabled()).clock(clock).build()) {
      FanoutOptions options = FanoutOptions.builder().maxConcurrency(4).timeout(Duration.ofSeconds(1))
          .clock(clock).build();
      Fanout.Task<Long, User> lookup = (id, context) -> client.users().withContext(context).getAsync(id);

      FanoutFuture<List<Outcome<User>>> list = Fanout.settleAll(List.of(1L, 2L, 3L, 4L), lookup, options);
      awaitRequests(backend, 4);
      clock.advance(Duration.ofSeconds(1));
      List<Outcome<User>> listOutcomes = list.get(WAIT, TimeUnit.SECONDS);

      FanoutStream<Long, User> stream = Fanout.stream(LongStream.rangeClosed(1, 1_000_000).iterator(), lookup,
          options);
      List<Outcome<User>> streamOutcomes = new CopyOnWriteArrayList<>();
      CompletableFuture<StreamReport> streamResult = stream.start(c -> streamOutcomes.add(c.outcome()));
      awaitRequests(backend, 4);
      clock.advance(Duration.ofSeconds(1));
      StreamReport report = streamResult.get(WAIT, TimeUnit.SECONDS);

      // The same outcome, of the same type, for each call the deadline ended.
      assertThat(listOutcomes).hasSize(4).allSatisfy(StreamSharedCoreTest::endedByTheDeadline);
      assertThat(streamOutcomes).hasSize(4).allSatisfy(StreamSharedCoreTest::endedByTheDeadline);
      // The same report entries: every input timed out, none left running, one second on the fake clock.
      assertThat(list.report().entries()).extracting(FanoutReport.Entry::outcome)
          .containsOnly(Outcome.Kind.TIMED_OUT).hasSize(4);
      assertThat(list.report().entries()).extracting(FanoutReport.Entry::errorType)
          .containsOnly(FanoutTimeoutException.class);
      assertThat(report.end()).isEqualTo(StreamReport.End.DEADLINE);
      assertThat(report.pulled()).isEqualTo(4);
      assertThat(report.timedOut()).isEqualTo(4);
      assertThat(report.elapsed()).isEqualTo(Duration.ofSeconds(1));
      assertThat(report.latencyCount()).as("a timeout is not a latency").isZero();
      // And down to the socket: every call of both forms was aborted, none still held.
      Stats stats = backend.awaitIdle(Duration.ofSeconds(WAIT));
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.requests(Routes.USERS)).isEqualTo(8);
      assertThat(stats.aborted()).isEqualTo(8);
    }
  }

  private static void endedByTheDeadline(Outcome<User> outcome) {
    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.TIMED_OUT);
    assertThat(outcome.error()).isInstanceOf(FanoutTimeoutException.class);
  }

  private static void awaitRequests(MockBackend backend, int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      assertThat(backend.takeRequest(WAIT, TimeUnit.SECONDS)).as("request %d reached the server", i).isNotNull();
    }
  }

  @Test
  void theDeadlineErrorReadsTheSameInBothFormsOnTheInjectedClock() throws Exception {
    FakeClock clock = FakeClock.create();
    FanoutOptions options = FanoutOptions.builder().maxConcurrency(2).timeout(Duration.ofSeconds(30))
        .clock(clock).build();
    List<CompletableFuture<String>> futures = new CopyOnWriteArrayList<>();
    Fanout.Task<Integer, String> never = (i, context) -> {
      CompletableFuture<String> f = new CompletableFuture<>();
      futures.add(f);
      return f;
    };
    FanoutFuture<List<Outcome<String>>> list = Fanout.settleAll(List.of(0, 1), never, options);
    clock.advance(Duration.ofSeconds(30));
    Throwable listError = list.get(WAIT, TimeUnit.SECONDS).get(0).error();

    FanoutStream<Integer, String> stream = Fanout.stream(IntStream.range(0, 100).boxed().iterator(), never, options);
    List<Throwable> streamErrors = new CopyOnWriteArrayList<>();
    CompletableFuture<StreamReport> result = stream.start(c -> streamErrors.add(c.error()));
    awaitSize(futures, 4);
    clock.advance(Duration.ofSeconds(30));
    result.get(WAIT, TimeUnit.SECONDS);

    assertThat(listError).isInstanceOf(FanoutTimeoutException.class)
        .hasMessage("settleAll deadline passed after 30000 ms with 2 of 2 inputs unfinished");
    assertThat(streamErrors).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(FanoutTimeoutException.class)
        .hasMessage("stream deadline passed after 30000 ms with 2 input(s) in flight"));
    assertThat(((FanoutTimeoutException) listError).timeout())
        .isEqualTo(((FanoutTimeoutException) streamErrors.get(0)).timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(futures).allMatch(CompletableFuture::isCancelled);
    assertThat(clock.pendingTasks()).as("both deadline timers were cancelled or ran").isZero();
  }

  private static void awaitSize(List<?> list, int n) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
    while (list.size() < n && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertThat(list).hasSize(n);
  }

  @Test
  void bothFormsNameAnInputAlikeInItsErrors() throws Exception {
    FanoutOptions options = FanoutOptions.builder().<Integer>labeler(i -> "row-" + i).build();
    Fanout.Task<Integer, String> odd = (i, context) -> {
      if (i == 1) {
        return null;
      }
      CompletableFuture<String> f = new CompletableFuture<>();
      f.cancel(true); // the task's own future, cancelled by the task, not by the fan-out
      return f;
    };
    List<Outcome<String>> list = Fanout.settleAll(List.of(0, 1), odd, options).get(WAIT, TimeUnit.SECONDS);
    Map<Long, Throwable> stream = new ConcurrentHashMap<>();
    Fanout.stream(IntStream.range(0, 2).boxed().iterator(), odd, options).forEach(c -> stream.put(c.index(), c.error()));

    assertThat(list.get(0).error()).isInstanceOf(FanoutCancelledException.class)
        .hasMessage("input 0 (row-0) was cancelled");
    assertThat(stream.get(0L)).isInstanceOf(FanoutCancelledException.class)
        .hasMessage("input 0 (row-0) was cancelled");
    assertThat(list.get(1).error()).isInstanceOf(NullPointerException.class)
        .hasMessage("task returned null for input 1 (row-1)");
    assertThat(stream.get(1L)).isInstanceOf(NullPointerException.class)
        .hasMessage("task returned null for input 1 (row-1)");
  }

  /**
   * Tasks complete on a pool of their own while the consumer cancels the stream part-way: whichever of a
   * completion and the cancel reaches an input first settles it, and the other is ignored. Every pulled
   * input is then counted exactly once, no input is delivered twice, none after the cancel returned.
   */
  @Test
  void aCancelRacingTheCompletionsAccountsForEveryInputOnceInBothForms() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Fanout.Task<Integer, Integer> racing = (i, context) -> CompletableFuture.supplyAsync(() -> i, pool);
      for (int round = 0; round < 20; round++) {
        FanoutStream<Integer, Integer> stream = FanoutStream.builder(IntStream.range(0, 10_000).boxed().iterator(),
                racing)
            .options(FanoutOptions.builder().maxConcurrency(16).build())
            .bufferSize(8)
            .build();
        Map<Long, Integer> deliveries = new ConcurrentHashMap<>();
        AtomicInteger afterCancel = new AtomicInteger();
        CountDownLatch cancelled = new CountDownLatch(1);
        int cancelAt = 50 + round * 37;
        StreamReport report = stream.forEach(c -> {
          if (cancelled.getCount() == 0) {
            afterCancel.incrementAndGet();
          }
          deliveries.merge(c.index(), 1, Integer::sum);
          if (deliveries.size() == cancelAt) {
            stream.cancel();
            cancelled.countDown();
          }
        });

        assertThat(report.end()).isEqualTo(StreamReport.End.CANCELLED);
        assertThat(report.succeeded() + report.failed() + report.timedOut() + report.cancelled())
            .as("every pulled input counted once: %s", report).isEqualTo(report.pulled());
        assertThat(deliveries.values()).as("no input delivered twice").containsOnly(1);
        assertThat(deliveries).hasSize(cancelAt);
        assertThat(report.delivered()).isEqualTo(cancelAt);
        assertThat(afterCancel.get()).as("no delivery after cancel returned").isZero();
        assertThat(report.failed()).isZero();

        // The list form: even inputs race the cancel, odd ones are held, so some are surely in flight.
        List<Integer> inputs = IntStream.range(0, 200).boxed().toList();
        FanoutFuture<List<Outcome<Integer>>> list = Fanout.settleAll(inputs,
            (i, context) -> i % 2 == 0 ? racing.start(i, context) : new CompletableFuture<>(),
            FanoutOptions.builder().maxConcurrency(16).build());
        list.cancel(true);
        List<FanoutReport.Entry> entries = list.report().entries();
        assertThat(entries).hasSize(200);
        assertThat(entries).extracting(FanoutReport.Entry::outcome)
            .as("each input settled once, succeeded or cancelled, none left running")
            .doesNotContain(Outcome.Kind.RUNNING, Outcome.Kind.FAILED, Outcome.Kind.TIMED_OUT);
        Set<Integer> indexes = ConcurrentHashMap.newKeySet();
        entries.forEach(e -> assertThat(indexes.add(e.index())).isTrue());
        assertThat(entries).filteredOn(e -> e.index() % 2 == 1).extracting(FanoutReport.Entry::outcome)
            .containsOnly(Outcome.Kind.CANCELLED);
        assertThat(entries).filteredOn(e -> e.outcome() == Outcome.Kind.CANCELLED)
            .extracting(FanoutReport.Entry::errorType).containsOnly(FanoutCancelledException.class);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
