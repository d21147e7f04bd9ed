package dev.fanout;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The shared system clock behind {@link FanoutClock#system()} and its scheduler: one daemon thread
 * {@code fanout-timer} that starts on the first timer and ends after a second without pending timers (so an
 * idle process has no SDK thread). Timer tasks only flip state and complete futures; they never block.
 */
final class SystemClock {
  private static final ScheduledThreadPoolExecutor SCHEDULER = newScheduler();

  /** The shared system clock on {@link #SCHEDULER}. */
  static final FanoutClock SHARED = named(FanoutClock.system(SCHEDULER), "FanoutClock.system()");

  private SystemClock() {}

  private static ScheduledThreadPoolExecutor newScheduler() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "fanout-timer");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  private static FanoutClock named(FanoutClock clock, String name) {
    return new FanoutClock() {
      @Override
      public long nanoTime() {
        return clock.nanoTime();
      }

      @Override
      public java.time.Instant instant() {
        return clock.instant();
      }

      @Override
      public Timer schedule(java.time.Duration delay, Runnable task) {
        return clock.schedule(delay, task);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
