package dev.fanout.mock;

import java.util.concurrent.atomic.AtomicLong;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A test class's HTTP client and the backends it starts on one engine, each with its meters on a clock the test
 * moves ({@link #now}): admissions, headers and 429s are exact. A Netty twin overrides {@link #engine()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MeteredBackends {
  final AtomicLong now = new AtomicLong();
  OkHttpClient client;

  /** The engine under test: MockWebServer, unless a subclass names Netty. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  @BeforeAll
  void start() {
    client = Http.client(16);
  }

  @AfterAll
  void stop() {
    Http.shutdown(client);
  }

  /** Starts a backend on {@link #engine()}, no latency, {@code faults} metered on {@link #now}. */
  MockBackend start(Faults.Builder faults) {
    return MockBackend.builder().engine(engine()).latency(Latency.none())
        .faults(faults.meterClock(now::get).build()).start();
  }
}
