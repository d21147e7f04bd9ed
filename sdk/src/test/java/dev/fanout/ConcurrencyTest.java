package dev.fanout;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fan-out properties of the client, against a latency-bound {@link MockBackend}. */
@Timeout(60)
class ConcurrencyTest {
  private static final Duration SECOND = Duration.ofSeconds(1);


  /** Loads OkHttp, Jackson and the client's classes first, so class loading does not count as latency. */
  @BeforeAll
  static void warmUp() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.none());
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      List<CompletableFuture<User>> calls = new ArrayList<>();
      for (int id = 1; id <= 6; id++) {
        calls.add(client.users().getAsync(id));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sixCallsAtOneSecondRunTogetherNotFivePerHost() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.fixed(SECOND));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      long t0 = System.nanoTime();
      List<CompletableFuture<User>> calls = new ArrayList<>();
      for (int id = 1; id <= 6; id++) {
        calls.add(client.users().getAsync(id));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(calls).extracting(f -> f.join().id()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(elapsed).isGreaterThanOrEqualTo(SECOND).isLessThan(Duration.ofSeconds(2));
      assertThat(backend.stats().maxInFlight()).isEqualTo(6);
    }
  }

  @Test
  void aDefaultOkHttpClientIsCappedAtFivePerHost() throws Exception {
    OkHttpClient plain = new OkHttpClient();
    try (MockBackend backend = MockBackend.start(Latency.fixed(SECOND))) {
      CountDownLatch done = new CountDownLatch(6);
      long t0 = System.nanoTime();
      for (int id = 1; id <= 6; id++) {
        plain.newCall(new Request.Builder().url(backend.url() + "/users/" + id).build()).enqueue(new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            done.countDown();
          }

          @Override
          public void onResponse(Call call, Response response) {
            response.close();
            done.countDown();
          }
        });
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(backend.stats().maxInFlight()).isEqualTo(5);
      assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    } finally {
      plain.dispatcher().executorService().shutdown();
      plain.connectionPool().evictAll();
    }
  }

  @Test
  void maxInFlightIsHonoured() throws Exception {
    Duration latency = Duration.ofMillis(200);
    try (MockBackend backend = MockBackend.start(Latency.fixed(latency));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(3).build()) {
      long t0 = System.nanoTime();
      List<CompletableFuture<User>> calls = new ArrayList<>();
      for (int id = 1; id <= 9; id++) {
        calls.add(client.users().getAsync(id));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(backend.stats().maxInFlight()).isEqualTo(3);
      eventually(() -> backend.stats().completed() == 9); // the server counts after its last write
      assertThat(elapsed).isGreaterThanOrEqualTo(latency.multipliedBy(3));
    }
  }

  @Test
  void cancellingAFutureAbortsTheRequestAtTheServer() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofSeconds(10)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      CompletableFuture<User> call = client.users().getAsync(1);
      eventually(() -> backend.stats().inFlight() == 1);

      call.cancel(true);

      eventually(() -> backend.stats().aborted() == 1);
      assertThat(backend.stats().completed()).isZero();
      assertThat(backend.stats().inFlight()).isZero();
    }
  }

  @Test
  void h2cPriorKnowledgeMultiplexesOneConnection() throws Exception {
    List<CallTrace> traces = new CopyOnWriteArrayList<>();
    try (MockBackend backend = MockBackend.builder()
            .latency(Latency.fixed(Duration.ofMillis(300))).http2PriorKnowledge(true).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).http2PriorKnowledge(true)
            .traceListener(traces::add).build()) {
      // The guarantee is that calls share a live HTTP/2 connection. How many connections six calls racing
      // to connect at once open is the scheduler's doing (OkHttp may open a second and coalesce later), so
      // the connection is opened first, then six calls are made at once.
      client.users().get(7);
      backend.reset();
      traces.clear();
      List<CompletableFuture<User>> calls = new ArrayList<>();
      for (int id = 1; id <= 6; id++) {
        calls.add(client.users().getAsync(id));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

      assertThat(backend.stats().maxInFlight()).isEqualTo(6);
      assertThat(traces).hasSize(6).allSatisfy(t -> assertThat(t.connectedNanos()).as("no new connection").isEmpty());
      assertThat(client.httpClient().connectionPool().connectionCount()).isEqualTo(1);
    }
  }

  @Test
  void streamsChatDeltasInOrderFromTheMockBackend() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofMillis(50)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.openAiBaseUrl()).build()) {
      ChatRequest request = ChatRequest.builder().model("mock-model").addUserMessage("tell me a story").build();
      List<String> deltas = new CopyOnWriteArrayList<>();

      ChatCompletion streamed = client.chat().streamAsync(request, deltas::add).get(10, TimeUnit.SECONDS);
      ChatCompletion whole = client.chat().create(request);

      assertThat(deltas).hasSizeGreaterThan(1);
      assertThat(String.join("", deltas)).isEqualTo(streamed.content()).isNotBlank();
      assertThat(whole.content()).isNotBlank();
      eventually(() -> backend.stats().completed() == 2);
    }
  }
}
