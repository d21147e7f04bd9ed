package dev.fanout.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An unbounded pool of platform threads, like OkHttp's default dispatcher pool (no core threads, a thread per
 * task when none is idle, idle threads end after the keep-alive), whose {@link #execute} does not start
 * threads on the caller's thread when it can avoid it.
 *
 * <h2>Why.</h2>
 * {@code Thread.start()} returns only once the new thread has started running: on a busy machine that is a
 * wait for the scheduler, up to a millisecond. A {@code ThreadPoolExecutor} starts its threads in
 * {@code execute}, so the thread that submits a fan-out's first thousand calls started a thousand threads one
 * after another and spent most of its time waiting for them, while its calls queued behind it. Here a task no idle thread takes is
 * queued, and threads are started by the threads already starting: the submitter starts one only when no
 * thread is starting others; each new thread starts up to two more while tasks are still unclaimed, then runs
 * a task. Thread starts then overlap, and the submitter goes on.
 *
 * <p>Idle threads wait on a {@link SynchronousQueue}, the most recently idle first, as in OkHttp's default
 * pool: under a light load the same few threads take the calls and the rest end at their keep-alive. A task
 * no idle thread takes goes to {@link #backlog}, which a thread reads before it waits again.
 *
 * <p>Accounting, under {@link #lock}: {@code unclaimed} counts backlog tasks no thread was started for yet;
 * {@code starters} counts threads that will still look at {@code unclaimed} before they run a task. A task
 * goes to the backlog counted unclaimed only while a starter exists, so every task gets a thread of its own
 * unless a thread that finished its last task takes it first (the extra thread then idles out).
 */
final class SpawningPool extends AbstractExecutorService {
  /** How many threads a new thread starts at most before it runs a task. */
  private static final int FAN_OUT = 2;

  private final ThreadFactory threads;
  private final long keepAliveNanos;
  /** Where idle threads wait for a task. */
  private final SynchronousQueue<Runnable> handoff = new SynchronousQueue<>();
  /** Tasks that found no idle thread, oldest first. */
  private final ConcurrentLinkedQueue<Runnable> backlog = new ConcurrentLinkedQueue<>();
  /** Threads waiting on {@link #handoff}, or about to. */
  private final AtomicInteger idle = new AtomicInteger();
  private final Object lock = new Object();
  private final List<Thread> workers = new ArrayList<>();
  private int unclaimed;
  private int starters;
  private volatile boolean shutdown;

  /** Handed to each idle thread at shutdown to end it; never run. */
  private static final Runnable WAKE = () -> {};

  SpawningPool(ThreadFactory threads, long keepAlive, TimeUnit unit) {
    this.threads = threads;
    this.keepAliveNanos = unit.toNanos(keepAlive);
  }

  @Override
  public void execute(Runnable task) {
    if (task == null) {
      throw new NullPointerException("task == null");
    }
    if (shutdown) {
      throw new RejectedExecutionException("the pool is shut down");
    }
    if (handoff.offer(task)) {
      return; // an idle thread was waiting for it
    }
    boolean startHere;
    synchronized (lock) {
      if (shutdown) {
        throw new RejectedExecutionException("the pool is shut down");
      }
      backlog.add(task);
      startHere = starters == 0;
      if (startHere) {
        starters = 1; // the thread started below: it starts the threads for the tasks that follow
      } else {
        unclaimed++;
      }
    }
    if (startHere) {
      start(task);
    }
  }

  /** Starts a thread in the starter role; on failure undoes its count and, for the submitter, rejects. */
  private void start(Runnable forTask) {
    Thread t;
    try {
      t = threads.newThread(this::work);
      synchronized (lock) {
        if (shutdown && forTask == null) {
          starters--; // shut down while it started others: the queued calls run on the threads there are
          return;
        }
        workers.add(t); // before it runs: shutdown counts it among the threads to wake
      }
      t.start();
    } catch (RuntimeException | OutOfMemoryError e) {
      synchronized (lock) {
        starters--;
        workers.removeIf(w -> !w.isAlive() && w.getState() == Thread.State.NEW);
      }
      if (forTask != null && backlog.remove(forTask)) {
        throw new RejectedExecutionException("could not start a thread", e);
      }
      HttpEngine.LOG.warn("could not start a dispatcher thread; queued calls wait for a running one", e);
    }
  }

  private void work() {
    // the starter role: start threads for the tasks still unclaimed, at most FAN_OUT, then leave it
    int toStart;
    synchronized (lock) {
      toStart = Math.min(FAN_OUT, unclaimed);
      unclaimed -= toStart;
      starters += toStart - 1; // each thread started here takes the role
    }
    for (int i = 0; i < toStart; i++) {
      start(null);
    }
    try {
      while (true) {
        Runnable task = backlog.poll();
        if (task == null) {
          idle.incrementAndGet(); // before the shutdown check: a shutdown after it sees this thread idle
          try {
            if (shutdown) {
              if (!backlog.isEmpty()) {
                continue; // queued before the shutdown, after this thread looked: it runs too
              }
              return;
            }
            task = handoff.poll(keepAliveNanos, TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            continue; // an interrupt a task left or an outsider sent: the pool ends only by shutdown or idling
          } finally {
            idle.decrementAndGet();
          }
          if (task == WAKE) {
            if (!backlog.isEmpty()) {
              continue; // queued before the shutdown: it runs first
            }
            return;
          }
          if (task == null) {
            if (!backlog.isEmpty()) {
              continue; // added as the wait ended
            }
            return; // idle for the keep-alive
          }
        }
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          Thread t = Thread.currentThread();
          t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
      }
    } finally {
      synchronized (lock) {
        workers.remove(Thread.currentThread());
        lock.notifyAll();
      }
    }
  }

  @Override
  public void shutdown() {
    synchronized (lock) {
      if (shutdown) {
        return;
      }
      shutdown = true;
    }
    // Busy threads run what is queued, then end; idle ones are handed a wake-up each. One that counted itself
    // idle just before the flag was set is about to wait: the timed offer waits for it.
    try {
      while (idle.get() > 0) {
        handoff.offer(WAKE, 1, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the idle threads left end at their keep-alive
    }
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
    List<Runnable> left = new ArrayList<>();
    for (Runnable r; (r = backlog.poll()) != null; ) {
      left.add(r);
    }
    return left;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    synchronized (lock) {
      return shutdown && workers.isEmpty();
    }
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (lock) {
      while (!(shutdown && workers.isEmpty())) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }
}
