package dev.fanout.internal;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executors for a client: virtual threads found by reflection (the SDK is compiled for Java 17), or
 * platform threads. Every thread is named {@code fanout-<client>-<role>-<n>}.
 */
public final class Threads {
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

  private Threads() {}

  /** Returns a new id for a client's thread names. */
  public static int nextClientId() {
    return CLIENT_IDS.incrementAndGet();
  }

  /** Returns true if this JVM has virtual threads (Java 21+). */
  public static boolean virtualThreadsAvailable() {
    try {
      Thread.class.getMethod("ofVirtual");
      Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /**
   * Returns {@code Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(prefix, 0).factory())},
   * called by reflection.
   *
   * @throws IllegalStateException if this JVM has no virtual threads
   */
  public static ExecutorService newVirtualThreadPerTaskExecutor(String namePrefix) {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
      builder = ofVirtual.getMethod("name", String.class, long.class).invoke(builder, namePrefix, 0L);
      Method factory = Class.forName("java.lang.Thread$Builder").getMethod("factory");
      ThreadFactory threads = (ThreadFactory) factory.invoke(builder);
      return (ExecutorService)
          Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class).invoke(null, threads);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("virtual threads need Java 21+; running " + Runtime.version(), e);
    }
  }

  /**
   * Returns a pool like OkHttp's default dispatcher pool (no core threads, unbounded, idle threads end
   * after 60 s) with daemon threads named {@code prefix + n}, whose {@code execute} leaves starting new
   * threads to the pool's threads (see {@link SpawningPool}).
   */
  public static ExecutorService newPlatformPool(String namePrefix) {
    return new SpawningPool(named(namePrefix), 60, TimeUnit.SECONDS);
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
