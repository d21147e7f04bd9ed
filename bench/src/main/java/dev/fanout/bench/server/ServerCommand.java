package dev.fanout.bench.server;

import dev.fanout.bench.Processes;
import dev.fanout.bench.cli.EngineOption;
import dev.fanout.common.cli.DurationConverter;
import dev.fanout.common.cli.Tail;
import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The backend side of the benchmark, run in its own JVM by the harness: starts the users backend on the
 * chosen engine, prints {@code Listening on http://127.0.0.1:PORT} as its first line and serves until the
 * process is stopped.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Serves the simulated backend on an engine until stopped (the harness starts it).")
public final class ServerCommand implements Callable<Integer> {
  /** The accept backlog on Netty, for bursts of tens of thousands of connections (the kernel caps it at somaxconn). */
  static final int NETTY_BACKLOG = 16_384;

  @Mixin
  EngineOption engine;

  @Option(names = "--port", defaultValue = "0", description = "Port; 0 picks a free one. Defaults to ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--latency", defaultValue = "1s", converter = DurationConverter.class,
      description = "Fixed delay of every response, e.g. 1s, 50ms, 0. Defaults to ${DEFAULT-VALUE}.")
  Duration latency;

  @Option(names = "--tail", paramLabel = "P:DURATION", defaultValue = "0:0", converter = Tail.Converter.class,
      description = "A seeded share P of responses take DURATION instead of --latency, e.g. 0.03:3s (the tail "
          + "workload). Defaults to none.")
  Tail tail;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the tail draws. Defaults to ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--http2", description = "Speak HTTP/2 cleartext with prior knowledge. Defaults to false "
      + "(HTTP/1.1; the netty engine then also accepts h2c prior knowledge on the same port).")
  boolean http2;

  @Override
  public Integer call() throws InterruptedException {
    Engine e = engine.engine();
    Latency profile = Latency.builder().delay(latency).seed(seed).tail(tail.share(), tail.delay()).build();
    MockBackend.Builder b = MockBackend.builder().engine(e).latency(profile).port(port)
        .http2PriorKnowledge(http2).recordedRequests(0);
    if (e == Engine.NETTY) b.backlog(NETTY_BACKLOG);
    MockBackend backend = b.start();
    String url = backend.url();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      backend.close();
      stopped.countDown();
    }, "backend-shutdown"));
    System.out.println(Processes.LISTENING + url);
    System.out.println("Engine " + e.id() + ", latency " + latency.toMillis() + " ms"
        + (tail.share() > 0 ? ", tail " + tail.share() + " at " + tail.delay().toMillis() + " ms" : "")
        + (http2 ? ", h2c prior knowledge" : ""));
    System.out.flush();
    stopped.await();
    return 0;
  }
}
