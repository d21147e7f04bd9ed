package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConcurrencyTest {
  /** The engine under test: MockWebServer here, Netty in {@link ConcurrencyNettyTest}. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend.Builder builder() {
    return MockBackend.builder().engine(engine());
  }


  /** Sends n GETs at once, without waiting; each future completes with the status or the failure. */
  static List<CompletableFuture<Integer>> send(OkHttpClient client, String url, int n) {
    List<CompletableFuture<Integer>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      CompletableFuture<Integer> f = new CompletableFuture<>();
      client.newCall(new Request.Builder().url(url + "/users/" + (i + 1)).build()).enqueue(new Callback() {
        @Override
        public void onFailure(Call call, IOException e) {
          f.completeExceptionally(e);
        }

        @Override
        public void onResponse(Call call, Response response) {
          try (response) {
            response.body().string();
            f.complete(response.code());
          } catch (IOException e) {
            f.completeExceptionally(e);
          }
        }
      });
      all.add(f);
    }
    return all;
  }

  /** Sends n GETs at once and waits for all; returns the elapsed nanos. */
  static long fanOut(OkHttpClient client, String url, int n) throws Exception {
    long start = System.nanoTime();
    List<CompletableFuture<Integer>> all = send(client, url, n);
    CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
    long elapsed = System.nanoTime() - start;
    for (CompletableFuture<Integer> f : all) assertThat(f.join()).isEqualTo(200);
    return elapsed;
  }

  /**
   * Proves that n requests are held at once: their delay is far longer than the test, so none can finish
   * before all have arrived, and the server's own counter must reach n; then closing the backend ends them
   * all (counted aborted, every client call failed).
   */
  static void assertHeldAtOnce(MockBackend backend, OkHttpClient client, int n) throws Exception {
    List<CompletableFuture<Integer>> calls = send(client, backend.url(), n);
    // A busy machine accepts a thousand connections slowly (MockWebServer starts a thread for each).
    awaitStats(backend, s -> s.inFlight() == n, Duration.ofSeconds(60));
    Stats held = backend.stats();
    assertThat(held.maxInFlight()).isEqualTo(n);
    assertThat(held.requests(Routes.USERS)).isEqualTo(n);
    assertThat(held.completed()).isZero();
    backend.close();
    // No client call is left waiting. (Over HTTP/2 a client may replay an unanswered GET on its own when its
    // connection shuts down, so what one client call then sees is OkHttp's business; the backend's own
    // counters below say that every held exchange was ended, none answered.)
    for (CompletableFuture<Integer> f : calls) {
      assertThat(f.handle((status, error) -> error)).succeedsWithin(Duration.ofSeconds(30));
    }
    if (!backend.http2PriorKnowledge()) {
      for (CompletableFuture<Integer> f : calls) {
        assertThat(f).isCompletedExceptionally();
      }
    }
    Stats after = backend.stats();
    assertThat(after.aborted()).isEqualTo(n);
    assertThat(after.inFlight()).isZero();
  }

  /** A delay no test waits for: responses held behind it end only when the backend closes. */
  static final Duration HELD = Duration.ofMinutes(5);

  @Test
  void holdsTwoHundredConcurrentRequestsAtOnce() throws Exception {
    OkHttpClient client = Http.patientClient(1000, false);
    try (MockBackend backend = builder().latency(Latency.fixed(HELD)).start()) {
      assertHeldAtOnce(backend, client, 200);
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void holdsAThousandConcurrentRequestsAtOnce() throws Exception {
    OkHttpClient client = Http.patientClient(2000, false);
    try (MockBackend backend = builder().latency(Latency.fixed(HELD)).start()) {
      assertHeldAtOnce(backend, client, 1000);
    } finally {
      Http.shutdown(client);
    }
  }

  /**
   * Wall time is the point here, so the bounds are generous: at least one delay (each response waits it),
   * and well under what serving them one after another would take (200 delays). The precise figure is the
   * benchmark's (docs/benchmarks.md); that they were all in flight at once is proved above by counters.
   */
  @Test
  void twoHundredConcurrentRequestsTakeAboutOneDelay() throws Exception {
    Duration delay = Duration.ofMillis(500);
    OkHttpClient client = Http.client(1000);
    try (MockBackend backend = builder().latency(Latency.fixed(delay)).start()) {
      // Warm-up: MockWebServer starts its per-connection threads one at a time; the measured round reuses them.
      fanOut(client, backend.url(), 200);
      backend.awaitIdle(Duration.ofSeconds(5));
      backend.reset();
      long elapsed = fanOut(client, backend.url(), 200);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));
      assertThat(elapsed).isGreaterThanOrEqualTo(delay.toNanos()).isLessThan(20 * delay.toNanos());
      assertThat(stats.requests(Routes.USERS)).isEqualTo(200);
      assertThat(stats.completed()).isEqualTo(200);
      assertThat(stats.aborted()).isZero();
      assertThat(stats.inFlight()).isZero();
    } finally {
      Http.shutdown(client);
    }
  }

  /** The one test at the real, default latency of one second; bounds as above. */
  @Test
  void aThousandConcurrentOneSecondRequestsFinishFarFasterThanInSeries() throws Exception {
    OkHttpClient client = Http.patientClient(2000, false); // no read timeout: a busy machine only makes it slower
    try (MockBackend backend = builder().latency(Latency.defaults()).start()) {
      assertThat(backend.latency().delay()).isEqualTo(Duration.ofSeconds(1));
      fanOut(client, backend.url(), 1000); // warm-up, as above
      backend.awaitIdle(Duration.ofSeconds(5));
      backend.reset();
      long elapsed = fanOut(client, backend.url(), 1000);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(10));
      // In series they would take 1,000 s.
      assertThat(elapsed).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1)).isLessThan(TimeUnit.SECONDS.toNanos(60));
      assertThat(stats.completed()).isEqualTo(1000);
      assertThat(stats.aborted()).isZero();
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void cancelledCallsAreAbortedNotCompleted() throws Exception {
    OkHttpClient client = Http.patientClient(100, false);
    try (MockBackend backend = builder().latency(Latency.fixed(HELD)).start()) {
      List<Call> calls = new ArrayList<>();
      CountDownLatch failed = new CountDownLatch(10);
      for (int i = 0; i < 10; i++) {
        Call call = client.newCall(new Request.Builder().url(backend.url() + "/users/" + (i + 1)).build());
        call.enqueue(new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            failed.countDown();
          }

          @Override
          public void onResponse(Call c, Response r) {
            r.close();
          }
        });
        calls.add(call);
      }
      awaitStats(backend, s -> s.inFlight() == 10);
      calls.forEach(Call::cancel);
      assertThat(failed.await(5, TimeUnit.SECONDS)).isTrue();
      // The server notices the closed connections; the delay itself would outlast the test.
      awaitStats(backend, s -> s.aborted() == 10);
      Stats stats = backend.stats();
      assertThat(stats.completed()).isZero();
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.maxInFlight()).isEqualTo(10);
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void closeEndsDelayedResponsesPromptly() throws Exception {
    OkHttpClient client = Http.patientClient(100, false);
    MockBackend backend = builder().latency(Latency.fixed(HELD)).start();
    try {
      CountDownLatch failed = new CountDownLatch(5);
      for (int i = 0; i < 5; i++) {
        client.newCall(new Request.Builder().url(backend.url() + "/users/1").build()).enqueue(new Callback() {
          @Override
          public void onFailure(Call c, IOException e) {
            failed.countDown();
          }

          @Override
          public void onResponse(Call c, Response r) {
            r.close();
          }
        });
      }
      awaitStats(backend, s -> s.inFlight() == 5);
      long start = System.nanoTime();
      backend.close();
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
      assertThat(failed.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(backend.stats().inFlight()).isZero();
    } finally {
      backend.close();
      Http.shutdown(client);
    }
  }

  static void awaitStats(MockBackend backend, java.util.function.Predicate<Stats> condition) throws InterruptedException {
    awaitStats(backend, condition, Duration.ofSeconds(10));
  }

  static void awaitStats(MockBackend backend, java.util.function.Predicate<Stats> condition, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.test(backend.stats())) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not met; stats: " + backend.stats());
      Thread.sleep(5);
    }
  }
}
