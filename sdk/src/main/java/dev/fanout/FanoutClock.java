package dev.fanout;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one source of time of a client: every timer the SDK sets (fan-out and call deadlines, retry backoffs,
 * rate-limit pacing, hedges) reads {@link #nanoTime()} and waits with {@link #schedule(Duration, Runnable)}.
 *
 * <p>The client's default clock is {@link #system()}, the process-wide system clock whose one daemon
 * thread ends when no timer is pending; {@link #system(ScheduledExecutorService)} runs timers on a
 * scheduler of the caller's.
 * Tests inject {@link dev.fanout.testing.FakeClock}, whose time moves only when the test says so: a test of
 * a 30-second deadline then takes milliseconds and cannot flake.
 *
 * <h2>Scheduled tasks must not block.</h2>
 * They run on the clock's thread (the client's scheduler, or the thread that advances a fake clock) and
 * only complete futures, flip state and enqueue calls.
 */
public interface FanoutClock {

  /** Returns a monotonic time in nanoseconds, like {@link System#nanoTime()}: only differences mean anything. */
  long nanoTime();

  /** Returns the wall-clock time, for HTTP dates in {@code Retry-After} and RFC 3339 rate-limit resets. */
  Instant instant();

  /**
   * Runs {@code task} once, {@code delay} from now (at once for a zero or negative delay, but never on the
   * caller's stack). Returns a handle whose {@link Timer#cancel()} drops the task if it has not run.
   *
   * @throws RejectedExecutionException if the clock no longer runs tasks (its client was closed)
   */
  Timer schedule(Duration delay, Runnable task);

  /**
   * Returns a future that completes (with {@code null}) after {@code delay}. Cancelling the future drops
   * the pending timer.
   *
   * @throws RejectedExecutionException if the clock no longer runs tasks
   */
  default CompletableFuture<Void> sleep(Duration delay) {
    Objects.requireNonNull(delay, "delay == null");
    CompletableFuture<Void> done = new CompletableFuture<>();
    Timer timer = schedule(delay, () -> done.complete(null));
    done.whenComplete((v, t) -> {
      if (done.isCancelled()) {
        timer.cancel();
      }
    });
    return done;
  }

  /** A task scheduled on a {@link FanoutClock}. */
  @FunctionalInterface
  interface Timer {
    /** Drops the task if it has not started; returns false if it already ran or was cancelled. */
    boolean cancel();
  }

  /**
   * Returns the shared system clock ({@link System#nanoTime()}, {@link Instant#now()}). Its tasks run on one
   * daemon thread, {@code fanout-timer}, started on the first timer and ended after a second with no
   * timer pending, so it never keeps a JVM alive and leaves no thread behind once idle. It is the default
   * of {@link FanoutClient.Builder#clock(FanoutClock)} and of a fan-out's deadline timer.
   */
  static FanoutClock system() {
    return SystemClock.SHARED;
  }

  /**
   * Returns the system clock ({@link System#nanoTime()}, {@link Instant#now()}) whose tasks run on
   * {@code scheduler}. The caller keeps owning the scheduler.
   */
  static FanoutClock system(ScheduledExecutorService scheduler) {
    Objects.requireNonNull(scheduler, "scheduler == null");
    return new FanoutClock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Instant instant() {
        return Instant.now();
      }

      @Override
      public Timer schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(delay, "delay == null");
        Objects.requireNonNull(task, "task == null");
        long nanos;
        try {
          nanos = Math.max(0, delay.toNanos());
        } catch (ArithmeticException tooLong) {
          nanos = Long.MAX_VALUE;
        }
        ScheduledFuture<?> f = scheduler.schedule(task, nanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
      }

      @Override
      public String toString() {
        return "FanoutClock.system(" + scheduler + ")";
      }
    };
  }
}
