package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.testing.FakeClock;
import java.util.function.Function;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The combinators' contracts, driven by futures the test completes by hand: no network, no sleeps. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class FanoutTest {

  /** Hands out one future per input and records which inputs started, in order, and how many run at once. */
  static final class ManualTasks {
    final Map<Integer, CompletableFuture<String>> futures = new ConcurrentHashMap<>();
    final List<Integer> started = new CopyOnWriteArrayList<>();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();

    CompletableFuture<String> start(Integer input) {
      started.add(input);
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      CompletableFuture<String> future = new CompletableFuture<>();
      futures.put(input, future);
      return future;
    }

    // The in-flight count drops before completion: the fan-out starts the next task from the completion.
    void succeed(int input) {
      inFlight.decrementAndGet();
      futures.get(input).complete("v" + input);
    }

    void fail(int input, RuntimeException error) {
      inFlight.decrementAndGet();
      futures.get(input).completeExceptionally(error);
    }
  }

  private static List<Integer> inputs(int n) {
    return IntStream.rangeClosed(1, n).boxed().collect(Collectors.toList());
  }

  @Test
  void allReturnsValuesInInputOrderWhateverTheCompletionOrder() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<List<String>> result = Fanout.all(inputs(4), (input, context) -> tasks.start(input), FanoutOptions.defaults());

    assertThat(tasks.started).containsExactly(1, 2, 3, 4);
    tasks.succeed(3);
    tasks.succeed(1);
    tasks.succeed(4);
    assertThat(result).isNotDone();
    tasks.succeed(2);

    assertThat(result.await()).containsExactly("v1", "v2", "v3", "v4");
    FanoutReport report = result.report();
    assertThat(report.finished()).isTrue();
    assertThat(report.peakConcurrency()).isEqualTo(4);
    assertThat(report.entries()).extracting(FanoutReport.Entry::outcome).containsOnly(Outcome.Kind.SUCCEEDED);
  }

  @Test
  void allFailsFastAndCancelsTheRest() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<List<String>> result = Fanout.all(inputs(5), (input, context) -> tasks.start(input), FanoutOptions.defaults());
    tasks.succeed(1);
    IllegalStateException boom = new IllegalStateException("boom");

    tasks.fail(2, boom);

    assertThatThrownBy(result::await).isSameAs(boom);
    assertThat(tasks.futures.get(3)).isCancelled();
    assertThat(tasks.futures.get(4)).isCancelled();
    assertThat(tasks.futures.get(5)).isCancelled();
    FanoutReport report = result.report();
    assertThat(report.entries()).extracting(FanoutReport.Entry::outcome).containsExactly(
        Outcome.Kind.SUCCEEDED, Outcome.Kind.FAILED, Outcome.Kind.CANCELLED, Outcome.Kind.CANCELLED,
        Outcome.Kind.CANCELLED);
    assertThat(report.entries().get(1).errorType()).isEqualTo(IllegalStateException.class);
    assertThat(report.entries().get(2).errorType()).isEqualTo(FanoutCancelledException.class);
  }

  @Test
  void settleAllReturnsTypedFailuresInPlace() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<List<Outcome<String>>> result = Fanout.settleAll(inputs(3), (input, context) -> tasks.start(input), FanoutOptions.defaults());
    FanoutException failure = new FanoutException("nope");
    tasks.fail(2, failure);
    tasks.succeed(3);
    tasks.succeed(1);

    List<Outcome<String>> outcomes = result.await();

    assertThat(outcomes).hasSize(3);
    assertThat(outcomes.get(0).value()).isEqualTo("v1");
    assertThat(outcomes.get(1).isSuccess()).isFalse();
    assertThat(outcomes.get(1).error()).isSameAs(failure);
    assertThat(outcomes.get(2).value()).isEqualTo("v3");
    assertThat(outcomes).extracting(Outcome::index).containsExactly(0, 1, 2);
    assertThatThrownBy(() -> outcomes.get(1).value()).hasCause(failure);
  }

  @Test
  void settleAllAtTheDeadlineKeepsWhatFinishedAndTimesOutTheRest() {
    ManualTasks tasks = new ManualTasks();
    FakeClock clock = FakeClock.create();
    FanoutFuture<List<Outcome<String>>> result = Fanout.settleAll(inputs(4), (input, context) -> tasks.start(input),
        FanoutOptions.builder().timeout(Duration.ofSeconds(30)).maxConcurrency(3).clock(clock).build());
    tasks.succeed(1);
    // 2 and 3 hang; 4 starts once 1 is done, and hangs too.
    clock.advance(Duration.ofSeconds(30).minusNanos(1));
    assertThat(result).isNotDone();
    clock.advance(Duration.ofNanos(1));

    List<Outcome<String>> outcomes = result.join();

    assertThat(outcomes.get(0).value()).isEqualTo("v1");
    assertThat(outcomes.subList(1, 4)).allSatisfy(outcome -> {
      assertThat(outcome.isTimedOut()).isTrue();
      assertThat(outcome.error()).isInstanceOf(FanoutTimeoutException.class);
    });
    assertThat(tasks.futures.get(2)).isCancelled();
    assertThat(tasks.futures.get(4)).isCancelled();
    assertThat(outcomes.get(1).error()).hasMessageContaining("after 30000 ms with 3 of 4 inputs unfinished");
  }

  @Test
  void settleAllTimesOutInputsItNeverStarted() {
    ManualTasks tasks = new ManualTasks();
    FakeClock clock = FakeClock.create();
    FanoutFuture<List<Outcome<String>>> result = Fanout.settleAll(inputs(3), (input, context) -> tasks.start(input),
        FanoutOptions.builder().timeout(Duration.ofMillis(50)).maxConcurrency(1).clock(clock).build());
    clock.advance(Duration.ofMillis(50));

    List<Outcome<String>> outcomes = result.join();

    assertThat(tasks.started).containsExactly(1);
    assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.isTimedOut()).isTrue());
    assertThat(result.report().entries().get(2).started()).isFalse();
  }

  @Test
  void allFailsWithTimeoutAtTheDeadline() {
    ManualTasks tasks = new ManualTasks();
    FakeClock clock = FakeClock.create();
    FanoutFuture<List<String>> result = Fanout.all(inputs(2), (input, context) -> tasks.start(input),
        FanoutOptions.builder().timeout(Duration.ofMillis(50)).clock(clock).build());
    tasks.succeed(1);
    clock.advance(Duration.ofMillis(50));

    assertThatThrownBy(result::await)
        .isInstanceOf(FanoutTimeoutException.class)
        .hasMessageContaining("1 of 2 inputs unfinished");
    assertThat(tasks.futures.get(2)).isCancelled();
  }

  @Test
  void theBoundIsHonouredAndEveryInputRuns() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<List<String>> result = Fanout.all(inputs(10), (input, context) -> tasks.start(input),
        FanoutOptions.builder().maxConcurrency(3).build());

    assertThat(tasks.started).containsExactly(1, 2, 3);
    for (int i = 1; i <= 10; i++) {
      tasks.succeed(i);
    }

    assertThat(result.await()).hasSize(10);
    assertThat(tasks.maxInFlight.get()).isEqualTo(3);
    assertThat(result.report().peakConcurrency()).isEqualTo(3);
    assertThat(tasks.started).containsExactlyElementsOf(inputs(10));
  }

  @Test
  void sequentialRunsOneAtATimeAndStopsAtTheFirstFailure() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<List<String>> result = Fanout.sequential(inputs(4), (input, context) -> tasks.start(input), FanoutOptions.defaults());

    assertThat(tasks.started).containsExactly(1);
    tasks.succeed(1);
    assertThat(tasks.started).containsExactly(1, 2);
    tasks.fail(2, new IllegalArgumentException("bad"));

    assertThatThrownBy(result::await).isInstanceOf(IllegalArgumentException.class);
    assertThat(tasks.started).containsExactly(1, 2);
    assertThat(tasks.maxInFlight.get()).isEqualTo(1);
    assertThat(result.report().entries()).extracting(FanoutReport.Entry::started)
        .containsExactly(true, true, false, false);
  }

  @Test
  void synchronouslyCompletingTasksDoNotOverflowTheStack() {
    List<Integer> many = inputs(20_000);
    FanoutFuture<List<Integer>> result = Fanout.sequential(many, (i, context) -> CompletableFuture.completedFuture(i * 2), FanoutOptions.defaults());

    List<Integer> values = result.await();

    assertThat(values).hasSize(20_000);
    assertThat(values.get(19_999)).isEqualTo(40_000);
  }

  @Test
  void firstSuccessWinsAndCancelsTheLosers() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<String> result = Fanout.firstSuccess(inputs(3), (input, context) -> tasks.start(input), FanoutOptions.defaults());
    tasks.fail(1, new IllegalStateException("slow replica failed"));
    assertThat(result).isNotDone();

    tasks.succeed(3);

    assertThat(result.await()).isEqualTo("v3");
    assertThat(tasks.futures.get(2)).isCancelled();
    assertThat(result.report().entries()).extracting(FanoutReport.Entry::outcome)
        .containsExactly(Outcome.Kind.FAILED, Outcome.Kind.CANCELLED, Outcome.Kind.SUCCEEDED);
  }

  @Test
  void firstSuccessFailsOnlyWhenAllFailed() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<String> result = Fanout.firstSuccess(inputs(2), (input, context) -> tasks.start(input), FanoutOptions.defaults());
    tasks.fail(1, new IllegalStateException("a"));
    assertThat(result).isNotDone();
    tasks.fail(2, new IllegalStateException("b"));

    assertThatThrownBy(result::await)
        .isInstanceOf(FanoutException.class)
        .hasMessageContaining("needed 1 success(es) of 2 inputs, but 2 failed")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
  }

  @Test
  void firstKReturnsOnceKSucceedAndCancelsTheRest() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<FirstK<String>> result = Fanout.firstK(2, inputs(5), (input, context) -> tasks.start(input), FanoutOptions.defaults());
    tasks.succeed(4);
    tasks.fail(1, new IllegalStateException("x"));
    tasks.succeed(2);

    assertThat(result.await().values()).containsExactly("v4", "v2");
    assertThat(result.await().isPartial()).isFalse();
    assertThat(tasks.futures.get(3)).isCancelled();
    assertThat(tasks.futures.get(5)).isCancelled();
  }

  @Test
  void firstKFailsAsSoonAsKCanNoLongerSucceed() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<FirstK<String>> result = Fanout.firstK(2, inputs(3), (input, context) -> tasks.start(input), FanoutOptions.defaults());
    tasks.fail(1, new IllegalStateException("x"));
    tasks.fail(3, new IllegalStateException("y"));

    assertThatThrownBy(result::await).hasMessageContaining("needed 2 success(es) of 3 inputs, but 2 failed");
    assertThat(tasks.futures.get(2)).isCancelled();
  }

  @Test
  void firstKAtItsDeadlineReturnsWhatSucceededMarkedPartialAndCancelsTheRest() {
    ManualTasks tasks = new ManualTasks();
    FakeClock clock = FakeClock.create();
    FanoutFuture<FirstK<String>> result = Fanout.firstK(3, inputs(5), (input, context) -> tasks.start(input),
        FanoutOptions.builder().timeout(Duration.ofSeconds(2)).clock(clock).build());
    tasks.succeed(4);
    tasks.fail(1, new IllegalStateException("x"));
    tasks.succeed(2);
    clock.advance(Duration.ofSeconds(2).minusNanos(1));
    assertThat(result).isNotDone();
    clock.advance(Duration.ofNanos(1));

    FirstK<String> partial = result.await();
    assertThat(partial.values()).containsExactly("v4", "v2");
    assertThat(partial.isPartial()).isTrue();
    assertThat(partial.k()).isEqualTo(3);
    assertThat(partial.missing()).isEqualTo(1);
    assertThat(partial).hasToString("FirstK{2 of 3, partial: [v4, v2]}");
    assertThat(tasks.futures.get(3)).isCancelled();
    assertThat(tasks.futures.get(5)).isCancelled();
    FanoutReport report = result.report();
    assertThat(report.succeeded()).isEqualTo(2);
    assertThat(report.entries().get(2).outcome()).isEqualTo(Outcome.Kind.TIMED_OUT);
  }

  @Test
  void firstKAtItsDeadlineWithNoSuccessFailsWithATimeout() {
    ManualTasks tasks = new ManualTasks();
    FakeClock clock = FakeClock.create();
    FanoutFuture<FirstK<String>> result = Fanout.firstK(2, inputs(3), (input, context) -> tasks.start(input),
        FanoutOptions.builder().timeout(Duration.ofSeconds(2)).clock(clock).build());
    tasks.fail(1, new IllegalStateException("x"));
    clock.advance(Duration.ofSeconds(2));

    assertThatThrownBy(result::await).isInstanceOf(FanoutTimeoutException.class)
        .hasMessageContaining("firstK deadline passed after 2000 ms with 2 of 3 inputs unfinished");
    assertThat(tasks.futures.get(2)).isCancelled();
  }

  @Test
  void asCompletedDeliversInCompletionOrderAndNothingAfterCancel() {
    ManualTasks tasks = new ManualTasks();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    FanoutFuture<List<Outcome<String>>> result =
        Fanout.asCompleted(inputs(4), (input, context) -> tasks.start(input), FanoutOptions.defaults(), o -> seen.add(o.index()));
    tasks.succeed(3);
    tasks.fail(1, new IllegalStateException("x"));
    assertThat(seen).containsExactly(2, 0);

    result.cancel(true);
    tasks.futures.get(2).complete("late"); // already cancelled by the fan-out; must not be delivered

    assertThat(seen).containsExactly(2, 0);
    assertThat(tasks.futures.get(2)).isCancelled();
    assertThat(tasks.futures.get(4)).isCancelled();
    assertThat(result.report().entries()).extracting(FanoutReport.Entry::outcome)
        .containsExactly(Outcome.Kind.FAILED, Outcome.Kind.CANCELLED, Outcome.Kind.SUCCEEDED, Outcome.Kind.CANCELLED);
  }

  @Test
  void asCompletedStreamYieldsEveryInputOnceAndClosingCancels() {
    ManualTasks tasks = new ManualTasks();
    List<Integer> order = new ArrayList<>();
    FakeClock clock = FakeClock.create();
    try (Stream<Outcome<String>> stream = Fanout.asCompletedStream(inputs(3), (input, context) -> tasks.start(input),
        FanoutOptions.builder().timeout(Duration.ofMillis(300)).clock(clock).build())) {
      tasks.succeed(2);
      tasks.succeed(1);
      clock.advance(Duration.ofMillis(300));
      // 3 never completes: it times out and still appears exactly once.
      stream.forEach(outcome -> order.add(outcome.index()));
    }
    assertThat(order).containsExactly(1, 0, 2);

    ManualTasks more = new ManualTasks();
    Stream<Outcome<String>> stream = Fanout.asCompletedStream(inputs(2), (input, context) -> more.start(input), FanoutOptions.defaults());
    stream.close();
    assertThat(more.futures.get(1)).isCancelled();
    assertThat(more.futures.get(2)).isCancelled();
  }

  @Test
  void cancellingTheFanOutCancelsTheCallsATaskStartedEvenBehindADerivedFuture() {
    List<CompletableFuture<String>> calls = new CopyOnWriteArrayList<>();
    FanoutFuture<List<Integer>> result = Fanout.all(inputs(3), (input, context) -> {
      CompletableFuture<String> call = new CompletableFuture<>();
      context.scope().register(call); // what FanoutClient does for every call made through a context
      calls.add(call);
      return call.thenApply(String::length); // a derived future does not pass cancel on by itself
    }, FanoutOptions.defaults());

    assertThat(result.cancel(true)).isTrue();

    assertThat(calls).hasSize(3).allSatisfy(call -> assertThat(call).isCancelled());
    assertThatThrownBy(result::await).isInstanceOf(FanoutCancelledException.class);
  }

  @Test
  void aNestedFanOutSharesTheOuterDeadline() {
    List<FanoutFuture<List<Outcome<String>>>> inner = new CopyOnWriteArrayList<>();
    List<Deadline> seenByTools = new CopyOnWriteArrayList<>();
    ManualTasks tasks = new ManualTasks();
    FakeClock clock = FakeClock.create();
    Deadline outer = Deadline.after(Duration.ofMillis(150), clock);
    FanoutFuture<List<Outcome<List<Outcome<String>>>>> result = Fanout.settleAll(List.of(1), (agent, context) -> {
      // An agent fans out to its tools, with no deadline of its own.
      FanoutFuture<List<Outcome<String>>> tools = Fanout.settleAll(List.of(10, 11), (tool, ctx) -> {
        seenByTools.add(FanoutContext.current().deadline());
        return tasks.start(tool);
      }, FanoutOptions.defaults());
      inner.add(tools);
      return tools;
    }, FanoutOptions.builder().deadline(outer).build());
    clock.advance(Duration.ofMillis(150));

    List<Outcome<List<Outcome<String>>>> outcomes = result.join();

    assertThat(seenByTools).containsExactly(outer, outer);
    assertThat(outer.isExpired()).isTrue();
    // Whichever timer fires first, the tools end at the outer deadline: either the outer times the agent out
    // (and cancels its fan-out), or the inner fan-out settles its tools as timed out at the same deadline.
    Outcome<List<Outcome<String>>> agent = outcomes.get(0);
    if (agent.isSuccess()) {
      assertThat(agent.value()).allSatisfy(tool -> assertThat(tool.isTimedOut()).isTrue());
    } else {
      assertThat(agent.isTimedOut()).isTrue();
    }
    assertThat(inner).singleElement().satisfies(tools -> assertThat(tools).isDone());
    assertThat(tasks.futures.get(10)).isCancelled();
    assertThat(tasks.futures.get(11)).isCancelled();
  }

  @Test
  void aTaskThatThrowsIsAFailureOfItsInput() {
    FanoutFuture<List<Outcome<String>>> result = Fanout.settleAll(inputs(2), (input, context) -> {
      if (input == 2) {
        throw new IllegalArgumentException("no such user: 2");
      }
      return CompletableFuture.completedFuture("ok");
    }, FanoutOptions.defaults());

    List<Outcome<String>> outcomes = result.await();

    assertThat(outcomes.get(0).isSuccess()).isTrue();
    assertThat(outcomes.get(1).error()).isInstanceOf(IllegalArgumentException.class).hasMessage("no such user: 2");
  }

  @Test
  void emptyAndBadInputs() {
    assertThat(Fanout.all(List.<Integer>of(), (i, context) -> CompletableFuture.completedFuture(i), FanoutOptions.defaults()).await()).isEmpty();
    assertThat(Fanout.settleAll(List.<Integer>of(), (i, context) -> CompletableFuture.completedFuture(i), FanoutOptions.defaults()).await()).isEmpty();
    assertThat(Fanout.sequential(List.<Integer>of(), (i, context) -> CompletableFuture.completedFuture(i), FanoutOptions.defaults()).await()).isEmpty();

    assertThatThrownBy(() -> Fanout.firstSuccess(List.<Integer>of(), (input, context) -> CompletableFuture.completedFuture(input), FanoutOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one input");
    assertThatThrownBy(() -> Fanout.firstK(3, inputs(2), (input, context) -> CompletableFuture.completedFuture(input), FanoutOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("k out of range [1..2]: 3");
    assertThatThrownBy(() -> Fanout.all(null, (input, context) -> CompletableFuture.completedFuture(input), FanoutOptions.defaults()))
        .isInstanceOf(NullPointerException.class).hasMessage("inputs == null");
    assertThatThrownBy(() -> Fanout.all(inputs(1), (Fanout.Task<Integer, Integer>) null, FanoutOptions.defaults()))
        .isInstanceOf(NullPointerException.class).hasMessage("task == null");
    assertThatThrownBy(() -> Fanout.all(inputs(1), (input, context) -> CompletableFuture.completedFuture(input), null))
        .isInstanceOf(NullPointerException.class).hasMessage("options == null");
    assertThatThrownBy(() -> Fanout.all(java.util.Arrays.asList(1, null), (input, context) -> CompletableFuture.completedFuture(input), FanoutOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("inputs[1] == null");
    assertThatThrownBy(() -> FanoutOptions.builder().maxConcurrency(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrency < 1: 0");
    assertThatThrownBy(() -> FanoutOptions.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout <= 0: PT0S");
    FanoutFuture<List<Outcome<String>>> nullTask = Fanout.settleAll(inputs(1), (i, context) -> null, FanoutOptions.defaults());
    assertThat(nullTask.join().get(0).error()).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("task returned null for input 0");
  }

  @Test
  void theReportAccountsForEveryInputAndItsCalls() {
    ManualTasks tasks = new ManualTasks();
    FanoutFuture<List<String>> result = Fanout.all(inputs(2), (input, context) -> {
      long now = System.nanoTime();
      context.scope().record(CallTrace.builder("GET /users/" + input)
          .queuedNanos(now).startNanos(now).firstByteNanos(now).endNanos(now).attempts(2).statusCode(200).build());
      return tasks.start(input);
    }, FanoutOptions.builder().labeler((Integer i) -> "user " + i).build());
    tasks.succeed(1);
    tasks.succeed(2);
    result.await();

    FanoutReport report = result.report();

    assertThat(report.combinator()).isEqualTo("all");
    assertThat(report.entries()).extracting(FanoutReport.Entry::label).containsExactly("user 1", "user 2");
    assertThat(report.entries()).extracting(FanoutReport.Entry::attempts).containsExactly(2, 2);
    assertThat(report.entries().get(0).calls()).singleElement()
        .satisfies(call -> assertThat(call.label()).isEqualTo("GET /users/1"));
    assertThat(report.toJson()).contains("\"combinator\" : \"all\"", "\"label\" : \"user 2\"", "\"ok\" : 2",
        "\"status\" : 200");
    assertThat(report.toString()).startsWith("FanoutReport{all: 2 inputs, 2 ok, 0 failed");
    assertThat(Collections.frequency(report.entries().stream().map(FanoutReport.Entry::index).toList(), 0))
        .isEqualTo(1);
  }
}
