package dev.fanout.testing;

import dev.fanout.FanoutClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link FanoutClock} whose time moves only when a test calls {@link #advance(Duration)}: deadlines,
 * backoffs, pacing and hedges then fire in a fixed order, at once, with no real sleep.
 *
 * <p>Tasks run on the thread that advances the clock, in due order (ties in scheduling order), outside the
 * clock's lock, so a task may schedule more tasks; those that fall due within the same advance run in the
 * same call. Every requested delay is recorded ({@link #scheduledDelays()}), so a test can assert the
 * backoffs a retry policy asked for. Thread-safe.
 */
public final class FakeClock implements FanoutClock {
  /** The wall-clock time a new fake clock reads: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final Instant start;
  private final PriorityQueue<Entry> queue = new PriorityQueue<>();
  private final List<Duration> delays = new ArrayList<>();
  private long nanos;
  private long sequence;
  private boolean shutdown;

  private FakeClock(Instant start) {
    this.start = start;
  }

  /** Returns a fake clock at {@link #DEFAULT_START}. */
  public static FakeClock create() {
    return new FakeClock(DEFAULT_START);
  }

  /** Returns a fake clock whose {@link #instant()} starts at {@code start}. */
  public static FakeClock startingAt(Instant start) {
    return new FakeClock(Objects.requireNonNull(start, "start == null"));
  }

  @Override
  public synchronized long nanoTime() {
    return nanos;
  }

  @Override
  public synchronized Instant instant() {
    return start.plusNanos(nanos);
  }

  /** Returns the time advanced so far. */
  public synchronized Duration elapsed() {
    return Duration.ofNanos(nanos);
  }

  @Override
  public synchronized Timer schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(delay, "delay == null");
    Objects.requireNonNull(task, "task == null");
    if (shutdown) {
      throw new RejectedExecutionException("FakeClock is shut down");
    }
    delays.add(delay);
    long d;
    try {
      d = Math.max(0, delay.toNanos());
    } catch (ArithmeticException tooLong) {
      d = Long.MAX_VALUE / 2;
    }
    Entry e = new Entry(saturatedAdd(nanos, d), sequence++, task);
    queue.add(e);
    return () -> {
      synchronized (FakeClock.this) {
        return queue.remove(e);
      }
    };
  }

  /**
   * Moves time forward by {@code by} and runs, on this thread, every task that falls due (including tasks
   * scheduled by those tasks), each with the clock reading its due time.
   */
  public void advance(Duration by) {
    Objects.requireNonNull(by, "by == null");
    if (by.isNegative()) {
      throw new IllegalArgumentException("by < 0: " + by);
    }
    long target;
    synchronized (this) {
      target = saturatedAdd(nanos, by.toNanos());
    }
    while (true) {
      Entry next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due > target) {
          nanos = Math.max(nanos, target);
          return;
        }
        queue.poll();
        nanos = Math.max(nanos, next.due);
      }
      next.task.run();
    }
  }

  /** Runs every task already due (zero-delay tasks) without moving time. */
  public void runDueTasks() {
    advance(Duration.ZERO);
  }

  /** Returns how many tasks wait to run. */
  public synchronized int pendingTasks() {
    return queue.size();
  }

  /** Returns the delay until the next pending task, or null if none waits. */
  public synchronized Duration nextDelay() {
    Entry next = queue.peek();
    return next == null ? null : Duration.ofNanos(Math.max(0, next.due - nanos));
  }

  /** Returns every delay requested so far, in request order. */
  public synchronized List<Duration> scheduledDelays() {
    return List.copyOf(delays);
  }

  /** Refuses further tasks (as a closed client's scheduler does) and drops the pending ones. */
  public synchronized void shutdown() {
    shutdown = true;
    queue.clear();
  }

  @Override
  public synchronized String toString() {
    return "FakeClock{elapsed=" + Duration.ofNanos(nanos) + ", pending=" + queue.size() + '}';
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  private static final class Entry implements Comparable<Entry> {
    final long due;
    final long seq;
    final Runnable task;

    Entry(long due, long seq, Runnable task) {
      this.due = due;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
