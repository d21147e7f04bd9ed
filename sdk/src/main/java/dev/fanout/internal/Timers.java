package dev.fanout.internal;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread that fires fan-out deadlines. Timer tasks only flip state and cancel futures; they never
 * block, so one thread serves every fan-out in the process.
 */
public final class Timers {
  private static final ScheduledThreadPoolExecutor SCHEDULER = newScheduler();

  private Timers() {}

  private static ScheduledThreadPoolExecutor newScheduler() {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "fanout-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** Runs {@code task} once after {@code delayNanos}; cancel the returned future to drop it. */
  public static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return SCHEDULER.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }
}
