package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.mock.internal.netty.NettyServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Netty engine against the MockWebServer one: byte-for-byte the same answers on both protocols, and
 * what only Netty does (hundreds of waiting responses on a few event-loop threads).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NettyEngineTest {
  private final List<OkHttpClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    for (OkHttpClient c : clients) {
      c.dispatcher().executorService().shutdown();
      c.connectionPool().evictAll();
    }
  }

  private OkHttpClient client(boolean http2) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(1000);
    dispatcher.setMaxRequestsPerHost(1000);
    OkHttpClient.Builder b = new OkHttpClient.Builder().dispatcher(dispatcher).retryOnConnectionFailure(false);
    if (http2) b.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    OkHttpClient c = b.build();
    clients.add(c);
    return c;
  }

  private static String get(OkHttpClient client, String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void answersUsersExactlyAsTheMockWebServerEngine(boolean http2) throws IOException {
    try (MockBackend netty = netty().latency(Latency.none()).start();
        MockBackend mock = MockBackend.builder().latency(Latency.none()).http2PriorKnowledge(http2)
            .recordedRequests(0).start()) {
      for (String path : List.of("/users/1", "/users/42", "/users/abc", "/users/0", "/nope", "/v1/models")) {
        assertThat(get(client(http2), netty.url() + path)).as(path).isEqualTo(get(client(http2), mock.url() + path));
      }
      assertThat(netty.stats().requests(Routes.USERS)).isEqualTo(4);
    }
  }

  /**
   * N waiting responses cost no thread each. The delay outlasts the test, so all n are held at once (the
   * server's counter reaches n) while the engine's threads are counted; closing the backend ends them.
   */
  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void holdsConcurrentRequestsTogetherWithoutAThreadEach(boolean http2) throws Exception {
    int n = 200;
    try (MockBackend netty = netty().latency(Latency.fixed(ConcurrencyTest.HELD)).start()) {
      OkHttpClient client = client(http2).newBuilder().readTimeout(Duration.ZERO).callTimeout(Duration.ZERO)
          .connectTimeout(Duration.ofSeconds(60)).build();
      List<CompletableFuture<Integer>> calls = ConcurrencyTest.send(client, netty.url(), n);
      ConcurrencyTest.awaitStats(netty, s -> s.inFlight() == n, Duration.ofSeconds(120));
      long serverThreads = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().startsWith(NettyServer.THREAD_PREFIX)).count();
      assertThat(serverThreads).isBetween(1L, 1L + NettyServer.DEFAULT_WORKER_THREADS);
      assertThat(netty.stats().maxInFlight()).isEqualTo(n);
      netty.close();
      for (CompletableFuture<Integer> f : calls) assertThat(f).failsWithin(Duration.ofSeconds(10));
      assertThat(netty.stats().aborted()).isEqualTo(n);
      assertThat(netty.stats().inFlight()).isZero();
    }
  }

  /** Concurrent responses all complete; wall time only within generous bounds (200 in series: 200 s). */
  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void completesConcurrentRequestsInAboutOneDelay(boolean http2) throws Exception {
    Duration d = Duration.ofSeconds(1);
    int n = 200;
    try (MockBackend netty = netty().latency(Latency.fixed(d)).start()) {
      long elapsed = ConcurrencyTest.fanOut(client(http2), netty.url(), n);
      assertThat(elapsed).isGreaterThanOrEqualTo(d.toNanos()).isLessThan((long) (0.1 * n * d.toNanos()));
      Stats stats = netty.awaitIdle(Duration.ofSeconds(10));
      assertThat(stats.completed()).isEqualTo(n);
      assertThat(stats.inFlight()).isZero();
    }
  }

  @Test
  void answersBadInputAtOnceAndAdminWithoutDelay() throws IOException {
    Duration d = Duration.ofSeconds(20);
    try (MockBackend netty = netty().latency(Latency.fixed(d)).start()) {
      long start = System.nanoTime();
      assertThat(get(client(false), netty.url() + "/users/abc")).startsWith("400 ");
      assertThat(get(client(false), netty.url() + "/__admin/stats")).startsWith("200 ").contains("\"maxInFlight\":1");
      assertThat(System.nanoTime() - start).isLessThan(d.toNanos() / 2);
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void answersAPostWithABodyAsTheMockWebServerEngineDoes(boolean http2) throws IOException {
    String chat = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    try (MockBackend netty = netty().latency(Latency.none()).start();
        MockBackend mock = MockBackend.builder().latency(Latency.none()).http2PriorKnowledge(http2)
            .recordedRequests(0).start()) {
      for (String body : List.of(chat, "{\"model\":\"gpt-4o-mini\"}", "not json")) {
        String fromNetty = post(client(http2), netty.url() + "/v1/chat/completions", body);
        String fromMock = post(client(http2), mock.url() + "/v1/chat/completions", body);
        assertThat(fromNetty.substring(0, 4)).as(body).isEqualTo(fromMock.substring(0, 4));
        assertThat(fromNetty.replaceAll("[0-9a-f]{8,}|\\d{9,}", "#"))
            .as(body).isEqualTo(fromMock.replaceAll("[0-9a-f]{8,}|\\d{9,}", "#"));
      }
    }
  }

  private static String post(OkHttpClient client, String url, String json) throws IOException {
    Request request = new Request.Builder().url(url)
        .post(RequestBody.create(json, MediaType.get("application/json"))).build();
    try (Response r = client.newCall(request).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void countsARequestWhoseClientLeavesAsAborted(boolean http2) throws Exception {
    try (MockBackend netty = netty().latency(Latency.fixed(Duration.ofSeconds(30))).start()) {
      OkHttpClient client = client(http2).newBuilder().readTimeout(Duration.ofMillis(200)).build();
      assertThatThrownBy(() -> get(client, netty.url() + "/users/1")).isInstanceOf(IOException.class);
      ConcurrencyTest.awaitStats(netty, s -> s.aborted() == 1);
      assertThat(netty.stats().aborted()).isEqualTo(1);
      assertThat(netty.stats().inFlight()).isZero();
    }
  }

  private static MockBackend.Builder netty() {
    return MockBackend.builder().engine(Engine.NETTY).recordedRequests(0);
  }

  @Test
  void engineIsNamedAndValidated() {
    try (MockBackend netty = netty().latency(Latency.none()).start()) {
      assertThat(netty.engine()).isEqualTo(Engine.NETTY);
      assertThat(netty.toString()).contains("netty");
    }
    assertThat(MockBackend.DEFAULT_ENGINE).isEqualTo(Engine.MOCKWEBSERVER);
    assertThat(Engine.of(" Netty ")).isEqualTo(Engine.NETTY);
    assertThatThrownBy(() -> Engine.of("jetty")).hasMessage("unknown engine: 'jetty' (expected one of mockwebserver, netty)");
    assertThatThrownBy(() -> MockBackend.builder().engine(null)).hasMessage("engine == null");
  }

  @Test
  void aLongRequestLineReachesTheRouteAndAnUnparseableOneGets400NamingWhy() throws Exception {
    try (MockBackend netty = netty().latency(Latency.none()).start()) {
      String id = "9".repeat(5_000);
      assertThat(get(client(false), netty.url() + "/users/" + id)).startsWith("400 ").contains("invalid user id").contains(id);
      try (java.net.Socket socket = new java.net.Socket(netty.host(), netty.port())) {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write("\u0000\u0001garbage\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"type\":\"invalid_request_error\"").contains("bad request: ");
      }
      assertThat(netty.awaitIdle(Duration.ofSeconds(5)).requests(Routes.UNKNOWN)).isEqualTo(1);
    }
  }

  @Test
  void theJUnitExtensionRunsOnNettyToo() throws IOException {
    MockBackendExtension extension = MockBackendExtension.builder().engine(Engine.NETTY).latency(Latency.none()).build();
    extension.beforeAll(null);
    try {
      extension.beforeEach(null);
      assertThat(extension.backend().engine()).isEqualTo(Engine.NETTY);
      assertThat(get(client(false), extension.url() + "/users/3")).startsWith("200 ");
      assertThat(extension.stats().requests(Routes.USERS)).isEqualTo(1);
      extension.beforeEach(null); // resets
      assertThat(extension.stats().totalRequests()).isZero();
    } finally {
      extension.afterAll(null);
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void recordsRequestsForTakeRequest(boolean http2) throws Exception {
    try (MockBackend netty = MockBackend.builder().engine(Engine.NETTY).latency(Latency.none()).start()) {
      assertThat(post(client(http2), netty.url() + "/v1/chat/completions", "not json")).startsWith("400 ");
      ReceivedRequest r = netty.takeRequest(5, TimeUnit.SECONDS);
      assertThat(r).isNotNull();
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/v1/chat/completions");
      assertThat(r.bodyUtf8()).isEqualTo("not json");
      assertThat(r.protocol()).isEqualTo(http2 ? okhttp3.Protocol.H2_PRIOR_KNOWLEDGE : okhttp3.Protocol.HTTP_1_1);
      assertThat(netty.takeRequest(50, TimeUnit.MILLISECONDS)).isNull();
    }
  }
}
