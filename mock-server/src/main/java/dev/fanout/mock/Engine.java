package dev.fanout.mock;

import dev.fanout.common.Labels;

/**
 * The server engine a {@link MockBackend} runs on. Both serve the same routes with the same latency
 * model, faults, stats and admin routes, and pass the same contract tests; they differ in what a
 * waiting response costs.
 */
public enum Engine {
  /**
   * OkHttp's MockWebServer: one platform thread per open connection, held while its response waits.
   * Records full requests; the default, and the right one for tests and up to a few thousand concurrent
   * requests.
   */
  MOCKWEBSERVER("mockwebserver"),
  /**
   * Netty: HTTP/1.1 and h2c (prior knowledge) on one port, every wait a task on an event loop (one
   * thread per CPU), so tens of thousands of waiting responses cost no thread each. For load tests and
   * benchmarks.
   */
  NETTY("netty");

  private final String id;

  Engine(String id) {
    this.id = id;
  }

  /** The command-line name: {@code mockwebserver} or {@code netty}. */
  public String id() {
    return id;
  }

  /** The engine named {@code id} (case-insensitive); fails naming the bad value and the valid ones. */
  public static Engine of(String id) {
    return Labels.parse(Engine.class, Engine::id, "engine", id);
  }

  @Override
  public String toString() {
    return id;
  }
}
