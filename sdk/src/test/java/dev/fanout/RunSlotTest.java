package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.CallScope;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The settle-once rule every fan-out form keeps its inputs by (a list's and a scope's ledger, a stream's
 * books): the first outcome wins, later ones change nothing, and what ran for the input is handed to the
 * stop that settled it once, or refused to whoever attaches it too late.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class RunSlotTest {
  private final FakeClock clock = FakeClock.create();

  @Test
  void theFirstOutcomeSettlesTheInputAndLaterOnesChangeNothing() {
    RunSlot<String> slot = new RunSlot<>(3);
    slot.start(100);

    assertThat(slot.settle(Outcome.success(3, "first"), 250, null)).isTrue();
    FanoutTimeoutException late = new FanoutTimeoutException("late deadline", Duration.ofSeconds(1));
    assertThat(slot.settle(Outcome.failure(3, late), 900, null)).isFalse();

    assertThat(slot.outcome().value()).isEqualTo("first");
    assertThat(slot.startNanos()).isEqualTo(100);
    assertThat(slot.endNanos()).isEqualTo(250);
  }

  @Test
  void anInputSettledBeforeItStartedHasNoEndTime() {
    RunSlot<String> slot = new RunSlot<>(0);

    assertThat(slot.settle(Outcome.failure(0, new FanoutCancelledException("decided")), 500, null)).isTrue();

    assertThat(slot.startNanos()).isEqualTo(-1);
    assertThat(slot.endNanos()).isEqualTo(-1);
  }

  @Test
  void aStopReleasesWhatWasAttachedOnceAndLateAttachmentsAreRefused() {
    RunSlot<String> slot = new RunSlot<>(1);
    slot.start(0);
    CallScope scope = new CallScope(null, Deadline.none(), clock, null);
    CompletableFuture<String> task = new CompletableFuture<>();
    assertThat(slot.attach(scope)).isTrue();
    assertThat(slot.attach(task)).isTrue();

    RunSlot.Releaser first = new RunSlot.Releaser();
    assertThat(slot.settle(Outcome.failure(1, new FanoutCancelledException("stop")), 10, first)).isTrue();
    RunSlot.Releaser second = new RunSlot.Releaser();
    assertThat(slot.settle(Outcome.failure(1, new FanoutCancelledException("again")), 20, second)).isFalse();

    RunSlot.Release release = first.release();
    assertThat(release.futures()).containsExactly(task);
    assertThat(release.scopes()).containsExactly(scope);
    assertThat(second.release()).isSameAs(RunSlot.Release.none());
    release.run("cancelled: stop");
    assertThat(task).isCancelled();
    assertThat(scope.isCancelled()).isTrue();

    assertThat(slot.attach(new CompletableFuture<>())).isFalse();
    assertThat(slot.attach(new CallScope(null, Deadline.none(), clock, null))).isFalse();
  }

  @Test
  void aTaskThatEndedByItselfLeavesNothingToRelease() {
    RunSlot<String> slot = new RunSlot<>(2);
    slot.start(0);
    CompletableFuture<String> task = CompletableFuture.completedFuture("done");
    slot.attach(task);

    assertThat(slot.settle(Outcome.success(2, "done"), 5, null)).isTrue();
    RunSlot.Releaser late = new RunSlot.Releaser();
    slot.settle(Outcome.failure(2, new FanoutCancelledException("late stop")), 6, late);

    assertThat(late.release()).isSameAs(RunSlot.Release.none());
  }

  @Test
  void countsOneOfEachEndingAndRefusesRunning() {
    OutcomeCounts counts = new OutcomeCounts();
    counts.count(Outcome.Kind.SUCCEEDED);
    counts.count(Outcome.Kind.FAILED);
    counts.count(Outcome.Kind.TIMED_OUT);
    counts.count(Outcome.Kind.CANCELLED);
    counts.count(Outcome.Kind.CANCELLED);

    assertThat(counts.settled()).isEqualTo(5);
    assertThat(counts.succeeded()).isEqualTo(1);
    assertThat(counts.unsucceeded()).isEqualTo(4);
    assertThat(counts.copy().cancelled()).isEqualTo(2);
    assertThatThrownBy(() -> counts.count(Outcome.Kind.RUNNING))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RUNNING");
  }
}
