package dev.fanout.jobs;

import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link FakeClock} moved forward by a daemon thread whenever a timer is pending, straight to that timer:
 * the blocking waits of {@link OpenAiBatches} (retry pauses, {@link BatchJob#await} polls) then pass at once,
 * in fake time, while {@link #delays()} records what was asked for. The same pattern as the SDK tests'
 * {@code AutoAdvance}; it jumps only to timers due within {@link #HORIZON}.
 */
final class AutoAdvance implements AutoCloseable {
  /** The longest wait it jumps over: above every wait the Batch API client and a job's polls take here. */
  static final Duration HORIZON = Duration.ofMinutes(2);

  private final FakeClock clock = FakeClock.create();
  private final Thread driver;
  private volatile boolean running = true;

  AutoAdvance() {
    driver = new Thread(() -> {
      while (running) {
        Duration next = clock.nextDelay();
        if (next != null && next.compareTo(HORIZON) <= 0) {
          clock.advance(next);
        } else {
          LockSupport.parkNanos(200_000);
        }
      }
    }, "test-auto-advance");
    driver.setDaemon(true);
    driver.start();
  }

  FakeClock clock() {
    return clock;
  }

  /** Every delay asked of the clock, in order. */
  List<Duration> delays() {
    return clock.scheduledDelays();
  }

  @Override
  public void close() {
    running = false;
    try {
      driver.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
