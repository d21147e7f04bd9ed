package dev.fanout.testsupport;

import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link FakeClock} moved forward by a daemon thread whenever a timer is pending, straight to that
 * timer: retry backoffs then pass at once, in fake time, while {@link #delays()} records what was asked
 * for. For tests whose only timers are backoffs (no deadline, attempt timeout or stream idle timeout to
 * race); it jumps only to timers due within {@link #HORIZON}, so the default total timeout and stream idle
 * timeout stay pending, but they are still scheduled: a test that asserts {@link #delays()} sets
 * {@code totalTimeout(ZERO)} (and a streaming one {@code streamIdleTimeout(ZERO)}). Tests of
 * deadlines advance a plain {@link FakeClock} themselves.
 */
public final class AutoAdvance implements AutoCloseable {
  /**
   * The longest wait it jumps over: 2 minutes, above every backoff and {@code Retry-After} wait the default
   * policy takes (60 s at most), below the default total timeout (10 min) and stream idle timeout (5 min).
   * A timer due later is left pending, so a default deadline cannot fire the moment a call starts.
   */
  public static final Duration HORIZON = Duration.ofMinutes(2);

  private final FakeClock clock = FakeClock.create();
  private final Thread driver;
  private volatile boolean running = true;

  public AutoAdvance() {
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
