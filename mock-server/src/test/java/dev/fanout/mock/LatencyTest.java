package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fanout.common.Durations;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LatencyTest {
  /** The engine under test: MockWebServer here, Netty in {@link LatencyNettyTest}. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend.Builder builder() {
    return MockBackend.builder().engine(engine());
  }


  @Test
  void defaultsToOneSecondFixed() {
    assertThat(Latency.defaults().delay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(Latency.builder().build()).isEqualTo(Latency.defaults());
    assertThat(Latency.defaults().jitter()).isEqualTo(Jitter.none());
    assertThat(Latency.none().delay()).isZero();
  }

  @Test
  void isAnImmutableValueWithNewBuilder() {
    Latency a = Latency.builder().delay(Duration.ofMillis(200)).jitter(Jitter.normal(Duration.ofMillis(20))).seed(3).build();
    Latency b = a.newBuilder().build();
    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.newBuilder().seed(4).build()).isNotEqualTo(a);
    assertThat(a.toString()).contains("200ms", "normal:20ms");
  }

  @Test
  void routeOverridesApplyToTheirRouteOnly() {
    Latency chat = Latency.fixed(Duration.ofMillis(5));
    Latency l = Latency.fixed(Duration.ofMillis(100)).newBuilder().route(Routes.CHAT, chat).build();
    assertThat(l.forRoute(Routes.CHAT)).isEqualTo(chat);
    assertThat(l.forRoute(Routes.USERS)).isEqualTo(l);
  }

  @Test
  void builderRejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> Latency.builder().delay(Duration.ofMillis(-1))).hasMessage("delay < 0: PT-0.001S");
    assertThatThrownBy(() -> Latency.builder().delay(null)).hasMessage("delay == null");
    assertThatThrownBy(() -> Latency.builder().route("billing", Latency.none())).hasMessageContaining("'billing'");
    assertThatThrownBy(() -> Jitter.logNormal(-1)).hasMessageContaining("-1");
    assertThatThrownBy(() -> Jitter.uniform(Duration.ofSeconds(-1))).hasMessageContaining("spread < 0");
  }

  @Test
  void jitterIsReproducibleFromTheSeedAndNeverNegative() {
    Duration base = Duration.ofMillis(100);
    for (Jitter j : List.of(Jitter.uniform(Duration.ofMillis(150)), Jitter.normal(Duration.ofMillis(80)), Jitter.logNormal(1.0))) {
      Random r1 = new Random(9);
      Random r2 = new Random(9);
      for (int i = 0; i < 1000; i++) {
        Duration d = j.apply(base, r1);
        assertThat(d).isEqualTo(j.apply(base, r2));
        assertThat(d.isNegative()).isFalse();
      }
    }
  }

  @Test
  void distributionsHaveTheirDocumentedShape() {
    Duration base = Duration.ofMillis(100);
    Random r = new Random(1);
    int n = 20_000;
    double sumUniform = 0;
    double sumLogNormal = 0;
    long minUniform = Long.MAX_VALUE;
    long maxUniform = 0;
    for (int i = 0; i < n; i++) {
      long u = Jitter.uniform(Duration.ofMillis(50)).apply(base, r).toMillis();
      minUniform = Math.min(minUniform, u);
      maxUniform = Math.max(maxUniform, u);
      sumUniform += u;
      sumLogNormal += Jitter.logNormal(0.5).apply(base, r).toNanos() / 1e6;
    }
    assertThat(minUniform).isGreaterThanOrEqualTo(50);
    assertThat(maxUniform).isLessThanOrEqualTo(150);
    assertThat(sumUniform / n).isCloseTo(100, within(2.0));
    assertThat(sumLogNormal / n).isCloseTo(100, within(3.0)); // mean-preserving
  }

  @Test
  void parsesCliSyntax() {
    assertThat(Durations.parse("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("0")).isZero();
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("PT2S")).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("needs a unit");
    assertThatThrownBy(() -> Durations.parse("fast")).hasMessageContaining("'fast'");
    assertThat(Jitter.parse("lognormal:0.5")).isEqualTo(Jitter.logNormal(0.5));
    assertThat(Jitter.parse("100ms")).isEqualTo(Jitter.uniform(Duration.ofMillis(100)));
    assertThat(Jitter.parse("normal:20ms")).isEqualTo(Jitter.normal(Duration.ofMillis(20)));
    assertThat(Jitter.parse("none")).isEqualTo(Jitter.none());
    assertThatThrownBy(() -> Jitter.parse("gaussian:1ms")).hasMessageContaining("gaussian:1ms");
  }

  @Test
  void jitteredDelaysAreServedWithinTheirRange() throws Exception {
    // 250 ms ± 240 ms, seeded. Guaranteed whatever the scheduler does (each wait is measured from before
    // the request is sent, so it can only be longer than the server's draw): every wait is at least the
    // smallest possible draw, and the longest wait at least the longest draw, which for this seed lies far
    // above the base (the jitter is real, not a fixed delay). A lower bound on the shortest would be a race.
    Latency l = Latency.builder().delay(Duration.ofMillis(250)).jitter(Jitter.uniform(Duration.ofMillis(240))).seed(11).build();
    OkHttpClient client = Http.client(8);
    try (MockBackend backend = builder().latency(l).start()) {
      Http.get(client, backend.url() + "/__admin/stats"); // connect
      List<Long> waits = new ArrayList<>();
      for (int i = 1; i <= 10; i++) {
        long t0 = System.nanoTime();
        assertThat(Http.get(client, backend.url() + "/users/" + i).code()).isEqualTo(200);
        waits.add(System.nanoTime() - t0);
      }
      assertThat(waits).allSatisfy(w -> assertThat(w).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(10)));
      assertThat(java.util.Collections.max(waits)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(250 + 100));
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void perRouteDelayIsServed() throws Exception {
    // The delayed route waits at least its delay (a guarantee); the other answers at once, asserted with a
    // generous bound (a second on loopback) far below the delayed route's 3 s.
    Latency l = Latency.none().newBuilder().route(Routes.SEARCH, Latency.fixed(Duration.ofSeconds(3))).build();
    OkHttpClient client = Http.client(8);
    try (MockBackend backend = builder().latency(l).start()) {
      Http.get(client, backend.url() + "/users/1"); // connect
      long t0 = System.nanoTime();
      Http.get(client, backend.url() + "/users/1");
      long users = System.nanoTime() - t0;
      t0 = System.nanoTime();
      Http.get(client, backend.url() + "/search?q=a");
      long search = System.nanoTime() - t0;
      assertThat(search).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(3));
      assertThat(users).isLessThan(TimeUnit.SECONDS.toNanos(1));
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void streamedChatWaitsTimeToFirstTokenThenPerToken() throws Exception {
    Latency l = Latency.none().newBuilder().route(Routes.CHAT, Latency.builder().delay(Duration.ZERO)
        .timeToFirstToken(Duration.ofSeconds(2)).perTokenDelay(Duration.ofMillis(20)).build()).build();
    OkHttpClient client = Http.client(8);
    try (MockBackend backend = builder().latency(l).start()) {
      Request call = new Request.Builder().url(backend.url() + "/v1/chat/completions")
          .post(RequestBody.create("{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a b c\"}]}", Http.JSON_TYPE))
          .build();
      try (Response warm = client.newCall(call).execute()) { // class loading and JIT are not what is measured
        warm.body().string();
      }
      long start = System.nanoTime();
      List<Long> arrivals = new ArrayList<>();
      try (Response r = client.newCall(call).execute()) {
        long headers = System.nanoTime() - start;
        // Headers come at once, before the time to first token (generous: half of its 2 s).
        assertThat(headers).isLessThan(TimeUnit.SECONDS.toNanos(1));
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body().byteStream(), StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
          if (line.startsWith("data: ")) arrivals.add(System.nanoTime() - start);
        }
      }
      // Lower bounds from the start, which the server's waits guarantee: the first event after the time to
      // first token, the last ([DONE], sent with the last token) after every per-token delay too. (A gap
      // between two client-side arrivals would not be: a late first read shortens it.)
      assertThat(arrivals.get(0)).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(2));
      int events = arrivals.size() - 1; // without [DONE]
      assertThat(arrivals.get(arrivals.size() - 1))
          .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(2) + TimeUnit.MILLISECONDS.toNanos(20L * (events - 1)));
      assertThat(backend.awaitIdle(Duration.ofSeconds(5)).completed()).isEqualTo(2);
    } finally {
      Http.shutdown(client);
    }
  }
}
