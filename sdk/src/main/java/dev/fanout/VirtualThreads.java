package dev.fanout;

/**
 * Whether a client runs OkHttp's dispatcher on virtual threads.
 *
 * <p>With platform threads OkHttp needs one thread per in-flight async call. Virtual threads
 * (Java 21+) make a large fan-out cheap. Fanout is built for Java 17 and detects virtual threads at run
 * time, by reflection.
 */
public enum VirtualThreads {
  /** Use virtual threads when the running JVM has them (Java 21+), platform threads otherwise. */
  AUTO,
  /** Use virtual threads; {@code build()} fails with {@link IllegalStateException} before Java 21. */
  ON,
  /** Use a pool of platform threads. */
  OFF
}
