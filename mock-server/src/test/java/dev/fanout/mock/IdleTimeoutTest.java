package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The keep-alive idle timeout ({@link MockBackend.Builder#idleTimeout}): a connection idle that long after
 * its last response is closed by the server, a request in progress never is, a connection is not timed
 * before its first response, and without the option nothing is closed. Proved with a raw socket reading end of stream and the server's own connection counters; the
 * one wall-time bound (no close before the timeout) is measured from before the request was sent, so it
 * holds however the scheduler runs. MockWebServer here, Netty in {@link IdleTimeoutNettyTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdleTimeoutTest {
  private static final Duration IDLE = Duration.ofMillis(300);

  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend.Builder builder() {
    return MockBackend.builder().engine(engine()).latency(Latency.none());
  }

  @Test
  void closesAConnectionIdlePastTheTimeoutAfterItsLastResponse() throws Exception {
    try (MockBackend backend = builder().idleTimeout(IDLE).start(); Socket socket = connect(backend)) {
      long sent = System.nanoTime();
      assertThat(exchange(socket, "/users/1")).startsWith("HTTP/1.1 200");
      socket.setSoTimeout(10_000);
      assertThat(socket.getInputStream().read()).as("end of stream: the server closed it").isEqualTo(-1);
      assertThat(System.nanoTime() - sent).as("not before the idle timeout").isGreaterThanOrEqualTo(IDLE.toNanos());
      ConnectionStats c = await(backend, s -> s.open() == 0);
      assertThat(c.accepted()).isEqualTo(1);
      assertThat(c.idleClosed()).isEqualTo(1);
      assertThat(backend.stats().completed()).isEqualTo(1);
    }
  }

  @Test
  void keepsAConnectionOpenWhileItsResponseTakesLongerThanTheTimeout() throws Exception {
    Duration slow = IDLE.multipliedBy(4);
    try (MockBackend backend = builder().idleTimeout(IDLE).latency(Latency.fixed(slow)).start();
        Socket socket = connect(backend)) {
      long sent = System.nanoTime();
      String response = exchange(socket, "/users/2");
      assertThat(System.nanoTime() - sent).isGreaterThanOrEqualTo(slow.toNanos());
      assertThat(response).startsWith("HTTP/1.1 200").contains("\"id\":2");
      assertThat(backend.stats().aborted()).isZero();
      socket.setSoTimeout(10_000);
      assertThat(socket.getInputStream().read()).isEqualTo(-1); // idle after the response, then closed
      assertThat(await(backend, s -> s.idleClosed() == 1).accepted()).isEqualTo(1);
    }
  }

  @Test
  void aConnectionUsedAgainBeforeTheTimeoutServesEveryRequest() throws Exception {
    try (MockBackend backend = builder().idleTimeout(Duration.ofSeconds(5)).start(); Socket socket = connect(backend)) {
      for (int i = 1; i <= 5; i++) assertThat(exchange(socket, "/users/" + i)).startsWith("HTTP/1.1 200");
      ConnectionStats c = backend.connectionStats();
      assertThat(c.accepted()).isEqualTo(1);
      assertThat(c.idleClosed()).isZero();
    }
  }

  /**
   * The timeout counts from the last response, as Node.js's {@code keepAliveTimeout} does: a connection is
   * not timed before its first one (so a client slow to send its first request is not raced).
   */
  @Test
  void neverTimesAConnectionBeforeItsFirstResponse() throws Exception {
    try (MockBackend backend = builder().idleTimeout(IDLE).start(); Socket socket = connect(backend)) {
      socket.setSoTimeout(3 * (int) IDLE.toMillis());
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      assertThat(backend.connectionStats().idleClosed()).isZero();
      socket.setSoTimeout(10_000);
      assertThat(exchange(socket, "/users/4")).startsWith("HTTP/1.1 200");
      assertThat(socket.getInputStream().read()).isEqualTo(-1); // and timed after it
      assertThat(await(backend, s -> s.idleClosed() == 1 && s.open() == 0).accepted()).isEqualTo(1);
    }
  }

  @Test
  void withoutATimeoutIdleConnectionsStayOpen() throws Exception {
    try (MockBackend backend = builder().start(); Socket socket = connect(backend)) {
      assertThat(backend.idleTimeout()).isZero().isEqualTo(MockBackend.DEFAULT_IDLE_TIMEOUT);
      assertThat(exchange(socket, "/users/1")).startsWith("HTTP/1.1 200");
      socket.setSoTimeout(3 * (int) IDLE.toMillis());
      assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      assertThat(exchange(socket, "/users/2")).startsWith("HTTP/1.1 200");
      assertThat(backend.connectionStats().idleClosed()).isZero();
      assertThat(backend.connectionStats().open()).isEqualTo(1);
    }
  }

  @Test
  void closesAnIdleH2cConnection() throws Exception {
    OkHttpClient client = Http.h2cClient(4);
    try (MockBackend backend = builder().http2PriorKnowledge(true).idleTimeout(IDLE).start()) {
      try (Response r = client.newCall(new Request.Builder().url(backend.url() + "/users/3").build()).execute()) {
        assertThat(r.protocol()).isEqualTo(Protocol.H2_PRIOR_KNOWLEDGE);
        assertThat(r.body().string()).contains("\"id\":3");
      }
      ConnectionStats c = await(backend, s -> s.idleClosed() == 1 && s.open() == 0);
      assertThat(c.accepted()).isEqualTo(1);
    } finally {
      Http.shutdown(client);
    }
  }

  @Test
  void rejectsANegativeOrNullTimeoutNamingIt() {
    assertThatThrownBy(() -> MockBackend.builder().idleTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("idleTimeout < 0: PT-1S");
    assertThatThrownBy(() -> MockBackend.builder().idleTimeout(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("idleTimeout == null");
  }

  static Socket connect(MockBackend backend) throws IOException {
    Socket s = new Socket(backend.host(), backend.port());
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends one GET on {@code socket} and reads its whole response (headers and a Content-Length body). */
  static String exchange(Socket socket, String path) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) throw new IOException("end of stream in the response head: " + head);
      head.write(b);
    }
    String h = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    if (body.length < length) throw new IOException("end of stream in the body after " + body.length + " bytes");
    return h + new String(body, StandardCharsets.UTF_8);
  }

  static ConnectionStats await(MockBackend backend, Predicate<ConnectionStats> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    ConnectionStats s;
    while (!condition.test(s = backend.connectionStats())) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not met; connection stats: " + s);
      Thread.sleep(5);
    }
    return s;
  }
}
