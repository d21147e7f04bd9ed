package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Jitter;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Stats;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Leaks: 20 rounds of a 500-call fan-out against a faulty backend leave no thread, no connection and no
 * unclosed response body behind. OkHttp reports a body that was never closed when its call is garbage
 * collected, through the java.util.logging logger {@code okhttp3.OkHttpClient}; a handler on it must stay
 * silent (and does report a body leaked on purpose, so the check can fail).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class LeakTest {
  static final int ROUNDS = 20;
  static final int CALLS = 500;

  private final List<String> leaks = new CopyOnWriteArrayList<>();
  private final Logger okhttpLogger = Logger.getLogger("okhttp3.OkHttpClient");
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      String message = record.getMessage();
      if (message != null && message.contains("leaked")) {
        leaks.add(message);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void attach() {
    okhttpLogger.addHandler(handler);
    okhttpLogger.setLevel(Level.ALL);
  }

  @AfterEach
  void detach() {
    okhttpLogger.removeHandler(handler);
  }

  @Test
  void twentyRoundsOfFiveHundredFaultyCallsLeakNothing() throws Exception {
    Faults faults = Faults.builder().seed(11).errorRate(0.1).disconnectBeforeBodyRate(0.05)
        .disconnectDuringBodyRate(0.05).stallRate(0.02).malformedJsonRate(0.05).build();
    Latency latency = Latency.builder().delay(Duration.ofMillis(2)).jitter(Jitter.uniform(Duration.ofMillis(8))).build();
    warmUp();
    int baselineThreads = liveThreads();
    long failures = 0;
    long faultsInjected = 0;
    long requests = 0;
    int maxPooled = 0;
    try (MockBackend backend = MockBackend.builder().latency(latency).faults(faults).recordedRequests(0).start()) {
      FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(100)
          .readTimeout(Duration.ofMillis(200))
          .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(5)).build())
          .build();
      try {
        for (int round = 0; round < ROUNDS; round++) {
          List<Long> ids = LongStream.rangeClosed(round * CALLS + 1L, (round + 1L) * CALLS).boxed().collect(Collectors.toList());
          List<Outcome<User>> outcomes = Fanout.settleAll(ids, (input, context) -> client.users().getAsync(input),
              FanoutOptions.builder().timeout(Duration.ofSeconds(20)).build()).get(25, TimeUnit.SECONDS);
          assertThat(outcomes).hasSize(CALLS);
          failures += outcomes.stream().filter(o -> !o.isSuccess()).count();
          maxPooled = Math.max(maxPooled, client.httpClient().connectionPool().connectionCount());
          // A call's future completes inside its OkHttp callback; the dispatcher counts it until that returns.
          assertThat(eventually(() -> client.httpClient().dispatcher().runningCallsCount() == 0)).isTrue();
        }
        Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
        faultsInjected = stats.faultsTotal();
        requests = stats.totalRequests();
        assertThat(stats.inFlight()).isZero();
        assertThat(maxPooled).isLessThanOrEqualTo(100);
      } finally {
        client.close();
      }
      assertThat(client.httpClient().connectionPool().connectionCount()).isZero();
    }
    assertThat(eventually(() -> liveThreads() <= baselineThreads))
        .as("threads back to %d, now %s", baselineThreads, threadNames()).isTrue();
    assertThat(threadNames()).noneMatch(name -> name.startsWith("fanout-") && name.contains("-dispatcher-"));
    assertThat(threadNames()).noneMatch(name -> name.startsWith("MockWebServer"));
    assertNoLeakLogged();
    System.out.printf("RELIABILITY leaks: rounds=%d calls=%d requests=%d faultsInjected=%d failedInputs=%d "
            + "maxPooledConnections=%d threadsBaseline=%d threadsAfter=%d leakedBodies=%d%n",
        ROUNDS, ROUNDS * CALLS, requests, faultsInjected, failures, maxPooled, baselineThreads, liveThreads(), leaks.size());
  }

  @Test
  void theLeakCheckSeesABodyLeftOpen() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.none());
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      leakOneBody(client, backend.url());
      boolean seen = eventually(() -> {
        System.gc();
        // A new connection makes the pool run its cleanup, which is where OkHttp notices the leak.
        client.httpClient().connectionPool().evictAll();
        try (Response r = client.httpClient().newCall(new Request.Builder().url(backend.url() + "/users/2").build()).execute()) {
          r.body().string();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
        return !leaks.isEmpty();
      });
      assertThat(seen).as("OkHttp's leak report reached the handler").isTrue();
      assertThat(leaks.get(0)).contains("was leaked");
    }
  }

  private static void leakOneBody(FanoutClient client, String url) throws Exception {
    Response leaked = client.httpClient().newCall(new Request.Builder().url(url + "/users/1").build()).execute();
    assertThat(leaked.code()).isEqualTo(200); // never closed
  }

  private void assertNoLeakLogged() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
    }
    // Make OkHttp's pool cleanup run on a fresh client over the same shared task runner.
    try (MockBackend backend = MockBackend.start(Latency.none());
        FanoutClient probe = FanoutClient.builder().baseUrl(backend.url()).build()) {
      probe.users().get(1);
    }
    assertThat(leaks).isEmpty();
  }

  /** One fan-out on a throwaway client, so JVM-wide threads (OkHttp's task runner, the JIT) exist before the baseline. */
  private static void warmUp() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.none());
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      Fanout.all(List.of(1L, 2L, 3L), (input, context) -> client.users().getAsync(input), FanoutOptions.defaults()).get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Live threads, leaving out the one process-wide pool that no client owns: OkHttp's shared task runner
   * (its idle threads exit after 60 s; MockWebServer serves connections on it too). The SDK's own timer
   * thread ({@code FanoutClock.system()}) is not left out: it ends once no timer is pending.
   */
  private static int liveThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> !name.equals("OkHttp TaskRunner"))
        .count();
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().collect(Collectors.toList());
  }

  private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < until) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.getAsBoolean();
  }
}
