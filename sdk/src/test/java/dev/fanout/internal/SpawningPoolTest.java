package dev.fanout.internal;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SpawningPoolTest {
  /** Generous: these waits end as soon as what they wait for happens. */
  private static final long WAIT_SECONDS = 30;

  /** Records which thread asked for each new thread, and every thread made. */
  private final ConcurrentHashMap<Thread, AtomicInteger> startedBy = new ConcurrentHashMap<>();
  private final List<Thread> made = new CopyOnWriteArrayList<>();
  private SpawningPool pool;

  private ThreadFactory recording(CountDownLatch firstMayRun) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      startedBy.computeIfAbsent(Thread.currentThread(), t -> new AtomicInteger()).incrementAndGet();
      boolean first = n.getAndIncrement() == 0;
      Thread t = new Thread(() -> {
        if (first) {
          await(firstMayRun);
        }
        r.run();
      }, "spawning-pool-test-" + n.get());
      t.setDaemon(true);
      made.add(t);
      return t;
    };
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyTaskGetsAThreadOfItsOwnWhileTheOthersBlock() throws Exception {
    pool = new SpawningPool(recording(new CountDownLatch(0)), 60, TimeUnit.SECONDS);
    int tasks = 300;
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch allRunning = executeWaiting(tasks, release);
    // each task blocks until all run at once: only a thread per task gets there
    assertThat(allRunning.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    assertThat(made).hasSizeGreaterThanOrEqualTo(tasks);
  }

  @Test
  void theSubmitterStartsOneThreadAndThePoolsThreadsStartTheRest() throws Exception {
    CountDownLatch firstMayRun = new CountDownLatch(1);
    pool = new SpawningPool(recording(firstMayRun), 60, TimeUnit.SECONDS);
    int tasks = 100;
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch allRunning = executeWaiting(tasks, release);
    // every execute returned while the one thread the submitter started had not run yet
    assertThat(startedBy.get(Thread.currentThread())).hasValue(1);
    assertThat(made).hasSize(1);
    assertThat(allRunning.getCount()).isEqualTo(tasks);

    firstMayRun.countDown();
    assertThat(allRunning.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    assertThat(startedBy.get(Thread.currentThread())).hasValue(1);
    // the pool's own threads started the other 99, each at most two
    assertThat(made).hasSizeGreaterThanOrEqualTo(tasks);
    startedBy.forEach((starter, count) -> {
      if (starter != Thread.currentThread()) {
        assertThat(made).contains(starter);
        assertThat(count.get()).isBetween(1, 2);
      }
    });
  }

  @Test
  void anIdleThreadTakesTheNextTaskAndEndsAfterTheKeepAlive() throws Exception {
    pool = new SpawningPool(recording(new CountDownLatch(0)), 200, TimeUnit.MILLISECONDS);
    CountDownLatch first = new CountDownLatch(1);
    pool.execute(first::countDown);
    assertThat(first.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    Thread worker = made.get(0);
    worker.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)); // idles out after 200 ms
    assertThat(worker.isAlive()).isFalse();

    CountDownLatch second = new CountDownLatch(1);
    pool.execute(second::countDown); // no thread left: a new one
    assertThat(second.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(made).hasSize(2);
  }

  @Test
  void theMostRecentlyIdleThreadTakesTheNextTaskSoTheOthersCanIdleOut() throws Exception {
    pool = new SpawningPool(recording(new CountDownLatch(0)), 1, TimeUnit.HOURS);
    int burst = 5;
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch allRunning = executeWaiting(burst, release);
    assertThat(allRunning.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    List<Thread> ranOn = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 20; i++) {
      awaitAllWaiting(); // each thread back waiting: the next task goes to the one that went back last
      CountDownLatch done = new CountDownLatch(1);
      pool.execute(() -> {
        ranOn.add(Thread.currentThread());
        done.countDown();
      });
      assertThat(done.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }
    // a light load keeps one thread busy and leaves the other four idle, to end at their keep-alive
    assertThat(ranOn).hasSize(20).containsOnly(ranOn.get(0));
    assertThat(made).hasSize(burst);
  }

  private void awaitAllWaiting() throws InterruptedException {
    eventually(() -> made.stream().allMatch(SpawningPoolTest::waitsForATask));
  }

  /** Executes {@code n} tasks that each wait for {@code release}; returns the latch they count down as they run. */
  private CountDownLatch executeWaiting(int n, CountDownLatch release) {
    CountDownLatch running = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      pool.execute(() -> {
        running.countDown();
        await(release);
      });
    }
    return running;
  }

  @Test
  void aTaskThatThrowsGoesToTheUncaughtHandlerAndTheThreadRunsOn() throws Exception {
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    CountDownLatch thrown = new CountDownLatch(1);
    pool = new SpawningPool(r -> {
      Thread t = new Thread(r, "spawning-pool-test");
      t.setDaemon(true);
      t.setUncaughtExceptionHandler((th, e) -> {
        uncaught.add(e);
        thrown.countDown();
      });
      made.add(t);
      return t;
    }, 60, TimeUnit.SECONDS);
    CountDownLatch next = new CountDownLatch(1);
    pool.execute(() -> {
      throw new IllegalStateException("boom");
    });
    assertThat(thrown.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(uncaught).singleElement().hasToString("java.lang.IllegalStateException: boom");
    assertThat(made.get(0).isAlive()).isTrue();
    pool.execute(next::countDown);
    assertThat(next.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownRunsWhatIsQueuedRefusesNewTasksAndEndsIdleThreadsAtOnce() throws Exception {
    pool = new SpawningPool(recording(new CountDownLatch(0)), 1, TimeUnit.HOURS);
    int tasks = 20;
    CountDownLatch ran = new CountDownLatch(tasks);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < tasks; i++) {
      pool.execute(() -> {
        await(release);
        ran.countDown();
      });
    }
    CountDownLatch idle = new CountDownLatch(1);
    pool.execute(idle::countDown);
    assertThat(idle.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue(); // its thread now idles, for an hour

    pool.shutdown();
    assertThat(pool.isShutdown()).isTrue();
    assertThatThrownBy(() -> pool.execute(() -> { }))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessage("the pool is shut down");
    assertThat(pool.isTerminated()).isFalse();
    assertThat(pool.awaitTermination(50, TimeUnit.MILLISECONDS)).isFalse(); // the blocked tasks still run

    release.countDown();
    assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    assertThat(ran.getCount()).isZero();
    for (Thread t : made) {
      t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS)); // out of the pool's list a moment before it ends
      assertThat(t.isAlive()).isFalse();
    }
    assertThat(pool.shutdownNow()).isEmpty(); // no wake-up is handed back as a task
  }

  @Test
  void nullTaskIsRefused() {
    pool = new SpawningPool(recording(new CountDownLatch(0)), 60, TimeUnit.SECONDS);
    assertThatThrownBy(() -> pool.execute(null)).isInstanceOf(NullPointerException.class).hasMessage("task == null");
  }

  /** Parked in the pool waiting for a task, not in a task's own wait (which is TIMED_WAITING too). */
  private static boolean waitsForATask(Thread t) {
    if (t.getState() != Thread.State.TIMED_WAITING) {
      return false;
    }
    // the innermost frame of the pool or of this test: the pool's while it waits, a task's (here) while it runs
    return Arrays.stream(t.getStackTrace())
        .map(StackTraceElement::getClassName)
        .filter(c -> c.startsWith(SpawningPool.class.getName()))
        .findFirst()
        .filter(c -> c.equals(SpawningPool.class.getName()))
        .isPresent();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released in " + WAIT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
