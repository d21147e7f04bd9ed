package dev.fanout.testsupport;

import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link FakeClock} moved forward by a daemon thread whenever a timer is pending, straight to that
 * timer: retry backoffs then pass at once, in fake time, while {@link #delays()} records what was asked
 * for. For tests whose only timers are backoffs (no deadline, attempt timeout or stream idle timeout to
 * race: a client sets {@code totalTimeout(ZERO)}, since the default total timeout is a 10-minute deadline
 * timer that this would jump to at once, and a streaming test {@code streamIdleTimeout(ZERO)}); tests of
 * deadlines advance a plain {@link FakeClock} themselves.
 */
public final class AutoAdvance implements AutoCloseable {
  private final FakeClock clock = FakeClock.create();
  private final Thread driver;
  private volatile boolean running = true;

  public AutoAdvance() {
    driver = new Thread(() -> {
      while (running) {
        Duration next = clock.nextDelay();
        if (next != null) {
          clock.advance(next);
        } else {
          LockSupport.parkNanos(200_000);
        }
      }
    }, "test-auto-advance");
    driver.setDaemon(true);
    driver.start();
  }

  public FakeClock clock() {
    return clock;
  }

  /** Returns every delay asked of the clock, in order. */
  public List<Duration> delays() {
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
