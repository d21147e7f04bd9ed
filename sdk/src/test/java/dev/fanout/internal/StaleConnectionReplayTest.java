package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.CallTrace;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.TransportException;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link StaleConnectionReplay}'s check of an idle connection on real loopback sockets: silent and open is
 * healthy (and keeps its read timeout), closed by the peer or talking unasked is not. Each peer state is set
 * up before the check runs (the close is joined), so nothing here races. And the idle rule through a client:
 * a connection's idle time is read on the client's clock.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class StaleConnectionReplayTest {

  @Test
  void aSilentOpenConnectionIsHealthyAndKeepsItsReadTimeout() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket peer = server.accept()) {
      client.setSoTimeout(60_000);
      assertThat(StaleConnectionReplay.closedByPeer(client)).isNull();
      assertThat(client.getSoTimeout()).isEqualTo(60_000);
      peer.getOutputStream().write('x'); // and it still reads what comes next
      assertThat(client.getInputStream().read()).isEqualTo('x');
    }
  }

  @Test
  void aConnectionThePeerClosedIsSeenClosedBeforeAnythingIsWritten() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort())) {
      server.accept().close();
      client.setSoTimeout(5_000);
      String closed = awaitNonNull(client);
      assertThat(closed).isIn("end of stream", "SocketException");
    }
  }

  @Test
  void aPeerThatTalksOnAnIdleConnectionHasBrokenIt() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket peer = server.accept()) {
      peer.getOutputStream().write("HTTP/1.1 408 Request Timeout\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      peer.getOutputStream().flush();
      assertThat(awaitNonNull(client)).isEqualTo("it sent data unasked");
    }
  }

  @Test
  void aConnectionIdlePastTheThresholdOnTheClientsClockIsCheckedAndTheRequestSentOnAFreshOne() throws Exception {
    try (StaleKeepAlive stale = new StaleKeepAlive()) {
      stale.idle(Duration.ofNanos(StaleConnectionReplay.CHECK_AFTER_IDLE_NANOS));

      assertThat(stale.client.users().get(2).id()).isEqualTo(2);

      assertThat(stale.traces.get(1).replays()).as("found closed before it was written, sent again").isEqualTo(1);
      assertThat(stale.traces.get(1).attempts()).isEqualTo(1);
      assertThat(stale.client.stats().replays()).isEqualTo(1);
      assertThat(stale.server.getRequestCount()).as("the server saw each request once").isEqualTo(2);
    }
  }

  /** Not idle long enough on the client's clock: not checked, so the request meets the server's close. */
  @Test
  void aConnectionNotIdlePastTheThresholdOnTheClientsClockIsNotChecked() throws Exception {
    try (StaleKeepAlive stale = new StaleKeepAlive()) {
      stale.idle(Duration.ofNanos(StaleConnectionReplay.CHECK_AFTER_IDLE_NANOS - 1));

      assertThatThrownBy(() -> stale.client.users().get(2)).isInstanceOf(TransportException.class);

      assertThat(stale.traces.get(1).replays()).isZero();
      assertThat(stale.client.stats().replays()).isZero();
      assertThat(stale.server.getRequestCount()).as("written to the closed connection only").isEqualTo(1);
    }
  }

  /**
   * Through a plain-HTTP proxy a reused connection is checked however short its idle: proxies that keep no
   * client connections (tinyproxy) close each one right after its response, without {@code Connection: close}.
   */
  @Test
  void aConnectionThroughAProxyIsCheckedWithoutIdling() throws Exception {
    try (StaleKeepAlive stale = new StaleKeepAlive(true)) {
      stale.idle(Duration.ZERO);

      assertThat(stale.client.users().get(2).id()).isEqualTo(2);

      assertThat(stale.traces.get(1).replays()).as("found closed before it was written, sent again").isEqualTo(1);
      assertThat(stale.traces.get(1).attempts()).isEqualTo(1);
      assertThat(stale.server.getRequestCount()).as("the proxy saw each request once").isEqualTo(2);
      assertThat(stale.server.takeRequest().getTarget()).isEqualTo("http://api.example.test/users/1");
    }
  }

  /**
   * A client on a fake clock, retries off, whose one pooled connection the server (keyed by path) closed after
   * answering {@code /users/1}; {@link #idle} lets that close reach the client and moves the client's clock.
   */
  private static final class StaleKeepAlive implements AutoCloseable {
    final FakeClock clock = FakeClock.create();
    final MockWebServer server = new MockWebServer();
    final List<CallTrace> traces = new CopyOnWriteArrayList<>();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Counted down when the first call's connection is back in the pool (after its future may complete). */
    final CountDownLatch released = new CountDownLatch(1);
    final OkHttpClient shared = new OkHttpClient.Builder().eventListener(new EventListener() {
      @Override
      public void connectionAcquired(Call call, Connection connection) {
        sockets.add(connection.socket());
      }

      @Override
      public void connectionReleased(Call call, Connection connection) {
        released.countDown();
      }
    }).build();
    final FanoutClient client;

    StaleKeepAlive() throws IOException {
      this(false);
    }

    /** With {@code proxied}, the server is the client's HTTP proxy for {@code http://api.example.test}. */
    StaleKeepAlive(boolean proxied) throws IOException {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return switch (request.getUrl().encodedPath()) {
            case "/users/1" -> Responses.user(1).newBuilder().onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE)
                .build();
            case "/users/2" -> Responses.user(2);
            default -> new MockResponse.Builder().code(404).build();
          };
        }
      });
      server.start(InetAddress.getLoopbackAddress(), 0);
      FanoutClient.Builder b = proxied
          ? FanoutClient.builder().baseUrl("http://api.example.test").proxy("127.0.0.1:" + server.getPort())
          : FanoutClient.builder().baseUrl(server.url("/").toString());
      client = b.clock(clock).okHttpClient(shared)
          .retryPolicy(RetryPolicy.none()).keepAlive(Duration.ofMinutes(5)).traceListener(traces::add).build();
      assertThat(client.users().get(1).id()).isEqualTo(1);
    }

    /** Waits until the client's socket sees the server's close, then advances the client's clock by {@code idle}. */
    void idle(Duration idle) throws IOException, InterruptedException {
      assertThat(released.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(sockets).hasSize(1);
      awaitNonNull(sockets.get(0));
      assertThat(shared.connectionPool().idleConnectionCount()).as("still pooled, closed by the server").isEqualTo(1);
      clock.advance(idle);
    }

    @Override
    public void close() throws IOException {
      client.close();
      shared.connectionPool().evictAll();
      server.close();
    }
  }

  /**
   * The FIN or the bytes cross loopback in microseconds, but a check is 1 ms: look until it is seen. Each look
   * at a silent socket waits its 1 ms read timeout, so the loop does not spin.
   */
  private static String awaitNonNull(Socket client) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String closed;
    while ((closed = StaleConnectionReplay.closedByPeer(client)) == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the peer's close or bytes never arrived");
      }
    }
    return closed;
  }
}
