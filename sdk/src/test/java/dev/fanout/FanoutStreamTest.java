package dev.fanout;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stream form driven by hand: tasks return futures the test completes, started inputs are taken from
 * a queue (the puller is a thread of the stream's), and the consumer's pace is held by latches.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class FanoutStreamTest {
  private static final long WAIT = 20; // seconds: generous bounds on blocking takes, never a sleep

  /** Tasks whose futures the test completes; every start is queued for the test to take. */
  static final class ManualTasks {
    final Map<Integer, CompletableFuture<String>> futures = new ConcurrentHashMap<>();
    final BlockingQueue<Integer> started = new LinkedBlockingQueue<>();
    final Map<Integer, FanoutContext> contexts = new ConcurrentHashMap<>();

    CompletableFuture<String> start(Integer input, FanoutContext context) {
      CompletableFuture<String> future = new CompletableFuture<>();
      futures.put(input, future);
      contexts.put(input, context);
      started.add(input);
      return future;
    }

    int take() throws InterruptedException {
      Integer next = started.poll(WAIT, TimeUnit.SECONDS);
      assertThat(next).as("an input was started").isNotNull();
      return next;
    }

    /** Completes the input's future once the stream listens to it, so its completion is seen at once. */
    void succeed(int input) {
      awaitWired(input).complete("v" + input);
    }

    /** Returns the input's future once the stream has attached to it. */
    CompletableFuture<String> awaitWired(int input) {
      CompletableFuture<String> future = futures.get(input);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
      while (future.getNumberOfDependents() == 0 && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      return future;
    }
  }

  /** An iterator over 0..n-1 that counts pulls and checks each against a bound on what is unconsumed. */
  static final class CountingSource implements Iterator<Integer> {
    final int n;
    final AtomicInteger pulled = new AtomicInteger();
    final AtomicLong consumed;
    final long bound;
    final List<String> violations = new CopyOnWriteArrayList<>();

    CountingSource(int n, AtomicLong consumed, long bound) {
      this.n = n;
      this.consumed = consumed;
      this.bound = bound;
    }

    @Override
    public boolean hasNext() {
      return pulled.get() < n;
    }

    @Override
    public Integer next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int k = pulled.getAndIncrement();
      if (k - consumed.get() >= bound) {
        violations.add("pulled #" + k + " with " + consumed.get() + " consumed");
      }
      return k;
    }
  }

  private static Iterator<Integer> range(int n) {
    return IntStream.range(0, n).boxed().iterator();
  }

  private static <I, T> StreamReport run(FanoutStream<I, T> stream, boolean async,
      java.util.function.Consumer<FanoutStream.Completion<I, T>> consumer) throws Exception {
    if (async) {
      return stream.start(consumer).get(WAIT, TimeUnit.SECONDS);
    }
    return CompletableFuture.supplyAsync(() -> stream.forEach(consumer)).get(WAIT, TimeUnit.SECONDS);
  }

  private static void assertAccounted(StreamReport report) {
    assertThat(report.succeeded() + report.failed() + report.timedOut() + report.cancelled())
        .as("every pulled input counted once: %s", report)
        .isEqualTo(report.pulled());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void deliversEveryInputOnceInCompletionOrder(boolean async) throws Exception {
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(5), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(2).build())
        .build();
    List<Long> order = new CopyOnWriteArrayList<>();
    List<String> values = new CopyOnWriteArrayList<>();
    CompletableFuture<StreamReport> report = CompletableFuture.supplyAsync(() -> {
      try {
        return run(stream, async, c -> {
          order.add(c.index());
          values.add(c.value());
          assertThat(Thread.currentThread().getName()).doesNotStartWith("OkHttp");
        });
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });

    assertThat(tasks.take()).isEqualTo(0);
    assertThat(tasks.take()).isEqualTo(1);
    tasks.succeed(1); // completes before 0
    assertThat(tasks.take()).isEqualTo(2);
    tasks.succeed(2);
    assertThat(tasks.take()).isEqualTo(3);
    tasks.succeed(0);
    assertThat(tasks.take()).isEqualTo(4);
    tasks.succeed(3); // 3's task was wired before 4 was pulled; 4's may not be yet, so it goes last
    tasks.succeed(4);

    StreamReport r = report.get(WAIT, TimeUnit.SECONDS);
    assertThat(order).containsExactly(1L, 2L, 0L, 3L, 4L);
    assertThat(values).containsExactly("v1", "v2", "v0", "v3", "v4");
    assertThat(r.end()).isEqualTo(StreamReport.End.COMPLETED);
    assertThat(r.pulled()).isEqualTo(5);
    assertThat(r.succeeded()).isEqualTo(5);
    assertThat(r.delivered()).isEqualTo(5);
    assertThat(r.peakInFlight()).isEqualTo(2);
    assertThat(r.latencyCount()).isEqualTo(5);
    assertAccounted(r);
  }

  @Test
  void aBlockedConsumerStopsThePulling() throws Exception {
    int concurrency = 4;
    int buffer = 3;
    AtomicLong consumed = new AtomicLong();
    CountingSource source = new CountingSource(1_000, consumed, concurrency + buffer);
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(source, tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(concurrency).build())
        .bufferSize(buffer)
        .build();
    CountDownLatch consumerEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<StreamReport> result = stream.start(c -> {
      consumerEntered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      consumed.incrementAndGet();
    });

    // Complete every task as it starts while the consumer sits on the first completion.
    for (int i = 0; i < concurrency + buffer; i++) {
      tasks.succeed(tasks.take());
    }
    assertThat(consumerEntered.await(WAIT, TimeUnit.SECONDS)).isTrue();
    // Every task it started is done and the consumer is blocked: the pulling stops at the bound.
    StreamProgress p = stream.progress();
    assertThat(p.pulled()).isEqualTo(concurrency + buffer);
    assertThat(p.inFlight()).isZero();
    assertThat(source.pulled.get()).isEqualTo(concurrency + buffer);
    assertThat(tasks.started).isEmpty();

    release.countDown();
    Thread completer = new Thread(() -> {
      try {
        for (int i = concurrency + buffer; i < 1_000; i++) {
          tasks.succeed(tasks.take());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    completer.start();
    StreamReport report = result.get(WAIT, TimeUnit.SECONDS);
    completer.join();
    assertThat(report.pulled()).isEqualTo(1_000);
    assertThat(report.delivered()).isEqualTo(1_000);
    assertThat(source.violations).as("pulled beyond maxConcurrency + bufferSize unconsumed").isEmpty();
    assertAccounted(report);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void failuresAreDeliveredAndTheStreamGoesOn(boolean async) throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    FanoutStream<Integer, String> stream = FanoutStream.<Integer, String>builder(range(6), (i, context) -> {
      switch (i) {
        case 1:
          return CompletableFuture.failedFuture(boom);
        case 2:
          throw boom; // a task that throws is a failed input
        case 3:
          return null; // so is one that returns null
        default:
          return CompletableFuture.completedFuture("v" + i);
      }
    }).build();
    Map<Long, Throwable> errors = new ConcurrentHashMap<>();
    StreamReport report = run(stream, async, c -> {
      if (!c.isSuccess()) {
        errors.put(c.index(), c.error());
      }
    });
    assertThat(errors).containsOnlyKeys(1L, 2L, 3L);
    assertThat(errors.get(1L)).isSameAs(boom);
    assertThat(errors.get(2L)).isSameAs(boom);
    assertThat(errors.get(3L)).isInstanceOf(NullPointerException.class).hasMessageContaining("input 3");
    assertThat(report.succeeded()).isEqualTo(3);
    assertThat(report.failed()).isEqualTo(3);
    assertThat(report.delivered()).isEqualTo(6);
    assertAccounted(report);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aThrowingConsumerStopsTheStreamCancelsWhatRunsAndIsRethrown(boolean async) throws Exception {
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(100), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(3).build())
        .build();
    IllegalArgumentException thrown = new IllegalArgumentException("consumer failed");
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<StreamReport> result = CompletableFuture.supplyAsync(() -> {
      try {
        return run(stream, async, c -> {
          calls.incrementAndGet();
          throw thrown;
        });
      } catch (ExecutionException e) {
        throw new java.util.concurrent.CompletionException(e.getCause());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    int first = tasks.take();
    tasks.take();
    tasks.take();
    tasks.succeed(first);

    assertThatThrownBy(() -> result.get(WAIT, TimeUnit.SECONDS)).hasCauseReference(thrown);
    StreamReport report = stream.report();
    assertThat(report.end()).isEqualTo(StreamReport.End.CONSUMER_FAILED);
    assertThat(report.failure()).containsSame(thrown);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(report.delivered()).isZero(); // the consumer never returned
    assertThat(report.succeeded()).isEqualTo(1);
    assertThat(report.cancelled()).isEqualTo(report.pulled() - 1);
    assertThat(tasks.futures.values()).filteredOn(f -> f != tasks.futures.get(first)).allMatch(CompletableFuture::isCancelled);
    assertThat(tasks.contexts.values()).filteredOn(c -> c != tasks.contexts.get(first))
        .allMatch(FanoutContext::isCancelled);
    assertAccounted(report);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aThrowingSourceStopsThePullingDeliversWhatRunsAndIsRethrown(boolean async) throws Exception {
    IllegalStateException broken = new IllegalStateException("line 4 is unreadable");
    Iterator<Integer> source = new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (next == 4) {
          throw broken;
        }
        return next++;
      }
    };
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(source, tasks::start).build();
    List<Long> delivered = new CopyOnWriteArrayList<>();
    CompletableFuture<StreamReport> result = CompletableFuture.supplyAsync(() -> {
      try {
        return run(stream, async, c -> delivered.add(c.index()));
      } catch (ExecutionException e) {
        throw new java.util.concurrent.CompletionException(e.getCause());
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    for (int i = 0; i < 4; i++) {
      tasks.take();
    }
    for (int i = 3; i >= 0; i--) {
      tasks.succeed(i);
    }
    assertThatThrownBy(() -> result.get(WAIT, TimeUnit.SECONDS)).hasCauseReference(broken);
    assertThat(delivered).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
    StreamReport report = stream.report();
    assertThat(report.end()).isEqualTo(StreamReport.End.SOURCE_FAILED);
    assertThat(report.failure()).containsSame(broken);
    assertThat(report.pulled()).isEqualTo(4);
    assertThat(report.succeeded()).isEqualTo(4);
    assertAccounted(report);
  }

  @Test
  void cancelStopsPullingCancelsWhatRunsAndSilencesTheConsumer() throws Exception {
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(1_000), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(5).build())
        .build();
    AtomicInteger afterCancel = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
    CountDownLatch firstDelivered = new CountDownLatch(1);
    CompletableFuture<StreamReport> result = stream.start(c -> {
      if (cancelled.get()) {
        afterCancel.incrementAndGet();
      }
      firstDelivered.countDown();
    });
    List<Integer> started = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      started.add(tasks.take());
    }
    tasks.succeed(started.get(0));
    assertThat(firstDelivered.await(WAIT, TimeUnit.SECONDS)).isTrue();
    tasks.awaitWired(tasks.take()); // the freed slot was refilled

    stream.cancel();
    cancelled.set(true);
    // Completions after the cancel are not delivered.
    tasks.futures.values().forEach(f -> f.complete("late"));

    StreamReport report = result.get(WAIT, TimeUnit.SECONDS);
    assertThat(report.end()).isEqualTo(StreamReport.End.CANCELLED);
    assertThat(afterCancel.get()).isZero();
    assertThat(report.pulled()).isEqualTo(6);
    assertThat(report.succeeded()).isEqualTo(1);
    assertThat(report.cancelled()).isEqualTo(5);
    assertThat(report.delivered()).isEqualTo(1);
    assertThat(tasks.contexts.values()).allMatch(FanoutContext::isCancelled);
    assertThat(tasks.futures.values().stream().filter(CompletableFuture::isCancelled).count()).isEqualTo(5);
    assertAccounted(report);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void drainStopsPullingAndDeliversWhatRuns(boolean async) throws Exception {
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(1_000), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(3).build())
        .build();
    List<Long> delivered = new CopyOnWriteArrayList<>();
    CompletableFuture<StreamReport> result = CompletableFuture.supplyAsync(() -> {
      try {
        return run(stream, async, c -> delivered.add(c.index()));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    List<Integer> started = List.of(tasks.take(), tasks.take(), tasks.take());

    stream.drain();
    for (int input : started) {
      tasks.succeed(input);
    }

    StreamReport report = result.get(WAIT, TimeUnit.SECONDS);
    assertThat(report.end()).isEqualTo(StreamReport.End.DRAINED);
    assertThat(delivered).containsExactlyInAnyOrder(0L, 1L, 2L);
    assertThat(report.pulled()).isEqualTo(3);
    assertThat(report.succeeded()).isEqualTo(3);
    assertThat(tasks.started).isEmpty();
    assertAccounted(report);
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneakyThrow(Throwable e) throws E {
    throw (E) e;
  }

  @Test
  void aCheckedExceptionThrownSneakilyByTheConsumerOrTheSourceStillStopsTheStreamAccounted() {
    java.io.IOException disk = new java.io.IOException("disk full");
    FanoutStream<Integer, String> byConsumer = FanoutStream.<Integer, String>builder(range(100),
        (i, context) -> CompletableFuture.completedFuture("v" + i)).build();
    assertThatThrownBy(() -> byConsumer.forEach(c -> sneakyThrow(disk)))
        .isInstanceOf(java.util.concurrent.CompletionException.class).hasCauseReference(disk);
    assertThat(byConsumer.report().end()).isEqualTo(StreamReport.End.CONSUMER_FAILED);
    assertAccounted(byConsumer.report());

    Iterator<Integer> source = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        sneakyThrow(disk);
        return 0;
      }
    };
    FanoutStream<Integer, String> bySource = FanoutStream.<Integer, String>builder(source,
        (i, context) -> CompletableFuture.completedFuture("v" + i)).build();
    assertThatThrownBy(() -> bySource.forEach(c -> { }))
        .isInstanceOf(java.util.concurrent.CompletionException.class).hasCauseReference(disk);
    assertThat(bySource.report().end()).isEqualTo(StreamReport.End.SOURCE_FAILED);
  }

  @Test
  void cancellingTheFutureCancelsTheStream() throws Exception {
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(10), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(2).build())
        .build();
    CompletableFuture<StreamReport> result = stream.start(c -> { });
    int a = tasks.take();
    int b = tasks.take();
    assertThat(result.cancel(true)).isTrue();
    assertThat(stream.report().cancelled()).isEqualTo(2);
    // A task whose start returns while the cancel runs has its future cancelled by the pulling thread once it
    // has it (the input's scope, cancelled at once, already fails its calls).
    eventually(() -> tasks.futures.get(a).isCancelled() && tasks.futures.get(b).isCancelled());
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void theDeadlineDeliversWhatRunsAsTimedOut(boolean async) throws Exception {
    FakeClock clock = FakeClock.create();
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(1_000), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(3).timeout(Duration.ofSeconds(30)).clock(clock).build())
        .build();
    Map<Long, Throwable> outcomes = new ConcurrentHashMap<>();
    CompletableFuture<StreamReport> result = CompletableFuture.supplyAsync(() -> {
      try {
        return run(stream, async, c -> outcomes.put(c.index(), c.isSuccess() ? new Exception("ok") : c.error()));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    int first = tasks.take();
    tasks.take();
    tasks.take();
    clock.advance(Duration.ofSeconds(10));
    tasks.succeed(first);
    tasks.take();
    assertThat(tasks.contexts.get(first).deadline().remaining()).isEqualTo(Duration.ofSeconds(20));

    clock.advance(Duration.ofSeconds(20));

    StreamReport report = result.get(WAIT, TimeUnit.SECONDS);
    assertThat(report.end()).isEqualTo(StreamReport.End.DEADLINE);
    assertThat(report.pulled()).isEqualTo(4);
    assertThat(report.succeeded()).isEqualTo(1);
    assertThat(report.timedOut()).isEqualTo(3);
    assertThat(report.delivered()).isEqualTo(4);
    assertThat(outcomes.values()).filteredOn(e -> e instanceof FanoutTimeoutException).hasSize(3);
    assertThat(tasks.futures.values().stream().filter(CompletableFuture::isCancelled).count()).isEqualTo(3);
    assertThat(report.elapsed()).isEqualTo(Duration.ofSeconds(30));
    assertThat(report.latency(50)).isEqualTo(Duration.ofSeconds(10)); // the one that finished, on the fake clock
    assertAccounted(report);
  }

  @Test
  void progressCountsAndTheListenerRunsOnTheConsumersThread() throws Exception {
    FakeClock clock = FakeClock.create();
    ManualTasks tasks = new ManualTasks();
    List<StreamProgress> seen = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(10), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(4).clock(clock).build())
        .sizeHint(10)
        .onProgress(p -> {
          seen.add(p);
          threads.add(Thread.currentThread().getName());
        })
        .progressEvery(2)
        .progressPeriod(Duration.ofSeconds(5))
        .build();
    List<String> consumerThreads = new CopyOnWriteArrayList<>();
    CompletableFuture<StreamReport> result = stream.start(c -> consumerThreads.add(Thread.currentThread().getName()));
    int a = tasks.take();
    int b = tasks.take();
    tasks.take();
    tasks.take();
    clock.advance(Duration.ofSeconds(1));
    tasks.succeed(a);
    tasks.succeed(b);
    tasks.take();
    tasks.take();
    // Two delivered: the listener ran once by count.
    StreamProgress p = awaitProgress(seen, 1);
    assertThat(p.done()).isEqualTo(2);
    assertThat(p.succeeded()).isEqualTo(2);

    StreamProgress now = stream.progress();
    assertThat(now.pulled()).isEqualTo(6);
    assertThat(now.inFlight()).isEqualTo(4);
    assertThat(now.done()).isEqualTo(2);
    assertThat(now.ratePerSecond()).isEqualTo(2.0);
    assertThat(now.eta()).contains(Duration.ofSeconds(4));

    clock.advance(Duration.ofSeconds(4)); // the period: a tick with no completion
    StreamProgress tick = awaitProgress(seen, 2);
    assertThat(tick.elapsed()).isEqualTo(Duration.ofSeconds(5));
    assertThat(tick.inFlight()).isEqualTo(4);

    Thread completer = new Thread(() -> {
      for (int i = 0; i < 10; i++) {
        if (i != a && i != b) {
          try {
            CompletableFuture<String> f;
            while ((f = tasks.futures.get(i)) == null) {
              tasks.started.take(); // wait for the next start
            }
            f.complete("v" + i);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    });
    completer.start();
    StreamReport report = result.get(WAIT, TimeUnit.SECONDS);
    completer.join();
    assertThat(report.succeeded()).isEqualTo(10);
    assertThat(threads).allMatch(t -> t.equals(consumerThreads.get(0)));
    assertAccounted(report);
  }

  private static StreamProgress awaitProgress(List<StreamProgress> seen, int count) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
    while (seen.size() < count && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertThat(seen).hasSizeGreaterThanOrEqualTo(count);
    return seen.get(count - 1);
  }

  @Test
  void aStreamSourceGivesTheSizeHint() throws Exception {
    FanoutStream<Long, Long> stream = FanoutStream.<Long, Long>builder(LongStream.range(0, 50).boxed(),
        (i, context) -> CompletableFuture.completedFuture(i * 2)).build();
    AtomicLong sum = new AtomicLong();
    StreamReport report = stream.forEach(c -> sum.addAndGet(c.value()));
    assertThat(sum.get()).isEqualTo(LongStream.range(0, 50).map(i -> i * 2).sum());
    assertThat(report.counts().sizeHint()).hasValue(50);
    assertThat(report.end()).isEqualTo(StreamReport.End.COMPLETED);
  }

  @Test
  void aPublisherSourceIsPulledWithBackpressure() throws Exception {
    try (SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>()) {
      FanoutStream<Integer, String> stream = FanoutStream.<Integer, String>builder(publisher,
          (i, context) -> CompletableFuture.completedFuture("v" + i))
          .options(FanoutOptions.builder().maxConcurrency(2).build())
          .bufferSize(2)
          .build();
      List<String> values = new CopyOnWriteArrayList<>();
      CompletableFuture<StreamReport> result = stream.start(c -> values.add(c.value()));
      for (int i = 0; i < 200; i++) {
        publisher.submit(i); // blocks when the subscriber's requests are used up
      }
      publisher.close();
      StreamReport report = result.get(WAIT, TimeUnit.SECONDS);
      assertThat(values).hasSize(200).containsAll(
          IntStream.range(0, 200).mapToObj(i -> "v" + i).collect(Collectors.toList()));
      assertThat(report.pulled()).isEqualTo(200);
      assertAccounted(report);
    }
  }

  @Test
  void aPublisherErrorIsASourceFailure() throws Exception {
    try (SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>()) {
      FanoutStream<Integer, String> stream = FanoutStream.<Integer, String>builder(publisher,
          (i, context) -> CompletableFuture.completedFuture("v" + i)).build();
      CompletableFuture<StreamReport> result = stream.start(c -> { });
      publisher.submit(1);
      IllegalStateException error = new IllegalStateException("upstream broke");
      publisher.closeExceptionally(error);
      assertThatThrownBy(() -> result.get(WAIT, TimeUnit.SECONDS)).hasCauseReference(error);
      assertThat(stream.report().end()).isEqualTo(StreamReport.End.SOURCE_FAILED);
      assertAccounted(stream.report());
    }
  }

  @Test
  void aStreamRunsOnce() {
    FanoutStream<Integer, String> stream = FanoutStream.<Integer, String>builder(range(1),
        (i, context) -> CompletableFuture.completedFuture("v")).build();
    stream.forEach(c -> { });
    assertThatThrownBy(() -> stream.forEach(c -> { }))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
  }

  @Test
  void cancelBeforeStartEndsAtOnce() {
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(10), tasks::start).build();
    stream.cancel();
    StreamReport report = stream.forEach(c -> { });
    assertThat(report.end()).isEqualTo(StreamReport.End.CANCELLED);
    assertThat(report.pulled()).isZero();
    assertThat(tasks.started).isEmpty();
  }

  @Test
  void anInterruptedForEachCancelsTheStream() throws Exception {
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(10), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(2).build())
        .build();
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try {
        stream.forEach(c -> { });
        thrown.complete(null);
      } catch (Throwable t) {
        thrown.complete(t);
      }
    });
    caller.start();
    tasks.take();
    tasks.take();
    caller.interrupt();
    assertThat(thrown.get(WAIT, TimeUnit.SECONDS)).isInstanceOf(FanoutCancelledException.class);
    assertThat(stream.report().end()).isEqualTo(StreamReport.End.CANCELLED);
    assertThat(tasks.futures.values()).allMatch(CompletableFuture::isCancelled);
  }

  @Test
  void theReportKeepsTheSlowestCallsAndLabelsThem() throws Exception {
    FakeClock clock = FakeClock.create();
    ManualTasks tasks = new ManualTasks();
    FanoutStream<Integer, String> stream = FanoutStream.builder(range(4), tasks::start)
        .options(FanoutOptions.builder().maxConcurrency(4).clock(clock).<Integer>labeler(i -> "row-" + i).build())
        .slowestKept(2)
        .build();
    CompletableFuture<StreamReport> result = stream.start(c -> { });
    for (int i = 0; i < 4; i++) {
      tasks.take();
    }
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofSeconds(1));
      tasks.succeed(i); // input i takes i + 1 seconds
    }
    StreamReport report = result.get(WAIT, TimeUnit.SECONDS);
    assertThat(report.slowest()).extracting(StreamReport.SlowCall::label).containsExactly("row-3", "row-2");
    assertThat(report.slowest().get(0).latency()).isEqualTo(Duration.ofSeconds(4));
    assertThat(report.maxLatency()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void badOptionsNameTheValue() {
    assertThatThrownBy(() -> FanoutStream.builder(range(1), (Integer i, FanoutContext c) -> null).bufferSize(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("bufferSize < 0: -1");
    assertThatThrownBy(() -> FanoutStream.builder(range(1), (Integer i, FanoutContext c) -> null)
        .progressPeriod(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("progressPeriod <= 0: PT0S");
    assertThatThrownBy(() -> FanoutStream.builder((Iterator<Integer>) null, (Integer i, FanoutContext c) -> null))
        .isInstanceOf(NullPointerException.class).hasMessage("inputs == null");
  }
}
