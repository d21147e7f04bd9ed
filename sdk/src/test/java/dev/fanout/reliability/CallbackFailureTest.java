package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A per-input callback that throws must not leave the fan-out hanging: the fan-out fails with what the
 * callback threw, cancels what is still running and calls the callback no more. (It used to stay
 * undecided for ever, every input settled.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class CallbackFailureTest {
  private static final Executor LATER = CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS);

  @Test
  void aThrowingCallbackFailsTheFanOutInsteadOfHangingIt() {
    AtomicInteger calls = new AtomicInteger();
    IllegalStateException bug = new IllegalStateException("bug in the callback");
    FanoutFuture<List<Outcome<Integer>>> run = Fanout.asCompleted(List.of(1, 2, 3, 4, 5, 6),
        (i, context) -> CompletableFuture.supplyAsync(() -> i, LATER), FanoutOptions.builder().maxConcurrency(2).build(), o -> {
          calls.incrementAndGet();
          throw bug;
        });

    Throwable thrown = catchThrowable(() -> run.get(5, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class).hasCause(bug);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(run.report().finished()).isTrue();
    assertThat(run.report().entries()).hasSize(6); // every input accounted for: settled or cancelled
  }

  @Test
  void aCallbackThatThrowsAtTheDeadlineStillEndsTheFanOut() {
    IllegalStateException bug = new IllegalStateException("bug at the deadline");
    FanoutFuture<List<Outcome<Integer>>> run = Fanout.asCompleted(List.of(1, 2),
        (i, context) -> new CompletableFuture<Integer>(), // never completes: both time out
        FanoutOptions.builder().timeout(Duration.ofMillis(100)).build(), o -> {
          throw bug;
        });

    Throwable thrown = catchThrowable(() -> run.get(5, TimeUnit.SECONDS));
    assertThat(thrown).isInstanceOf(ExecutionException.class).hasCause(bug);
  }
}
