package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The heavy-tail latency option: a seeded share of requests take the tail latency. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TailLatencyTest {
  /** The engine under test: MockWebServer here, Netty in {@link TailLatencyNettyTest}. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  OkHttpClient client;

  @BeforeAll
  void start() {
    client = Http.client(16);
  }

  @AfterAll
  void stop() {
    Http.shutdown(client);
  }

  long tailsIn(MockBackend backend, int requests) throws IOException {
    for (int i = 0; i < requests; i++) assertThat(Http.get(client, backend.url() + "/users/" + (i + 1)).code()).isEqualTo(200);
    return backend.stats().faults(Stats.TAIL_LATENCY);
  }

  @Test
  void aSeededShareTakesTheTailTheSameEveryRun() throws IOException {
    Latency latency = Latency.builder().delay(Duration.ZERO).tail(0.03, Duration.ofMillis(1)).seed(42).build();
    try (MockBackend backend = MockBackend.builder().engine(engine()).latency(latency).start()) {
      long first = tailsIn(backend, 1000);
      assertThat(first).isBetween(10L, 50L); // 30 expected; 4 standard deviations either side
      backend.reset();
      assertThat(tailsIn(backend, 1000)).isEqualTo(first); // the same seed, the same tail
      // Every engine draws the same sequence: this count is the engine-independent one.
      assertThat(first).isEqualTo(TailLatencyTest.expectedTails(latency, 1000));
    }
  }

  /** The tail count of the first {@code n} requests, from a fresh MockWebServer backend. */
  static long expectedTails(Latency latency, int n) throws IOException {
    OkHttpClient c = Http.client(4);
    try (MockBackend reference = MockBackend.builder().engine(Engine.MOCKWEBSERVER).latency(latency).start()) {
      for (int i = 0; i < n; i++) Http.get(c, reference.url() + "/users/1");
      return reference.stats().faults(Stats.TAIL_LATENCY);
    } finally {
      Http.shutdown(c);
    }
  }

  @Test
  void theTailReplacesTheDelayAndNoTailMeansNone() throws IOException {
    Latency all = Latency.builder().delay(Duration.ZERO).tail(1, Duration.ofMillis(300)).build();
    try (MockBackend backend = MockBackend.builder().engine(engine()).latency(all).start()) {
      long start = System.nanoTime();
      assertThat(Http.get(client, backend.url() + "/users/1").code()).isEqualTo(200);
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
      assertThat(backend.stats().faults(Stats.TAIL_LATENCY)).isEqualTo(1);
    }
    Latency none = Latency.builder().delay(Duration.ZERO).tail(0, Duration.ofSeconds(3)).build();
    try (MockBackend backend = MockBackend.builder().engine(engine()).latency(none).start()) {
      assertThat(tailsIn(backend, 50)).isZero();
    }
  }

  @Test
  void badTailsNameTheValue() {
    assertThatThrownBy(() -> Latency.builder().tail(1.5, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("tail share not in [0, 1]: 1.5");
    assertThatThrownBy(() -> Latency.builder().tail(0.1, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tailDelay < 0");
  }
}
