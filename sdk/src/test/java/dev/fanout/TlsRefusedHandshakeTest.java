package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.errors.ConnectionSetupException;
import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TLS handshake the server refuses, or answers in something other than TLS, is a connection that cannot be set
 * up: every call of a fan-out fails at once with a {@link ConnectionSetupException} naming the host, after one
 * attempt. The JDK reports both as a plain {@code SSLException} (not an {@code SSLHandshakeException}); Caddy and
 * other Go servers answer a handshake for a name they hold no certificate for (or a client that sends no name, as
 * for an IP address) with the fatal alert {@code internal_error}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsRefusedHandshakeTest {
  private static final int CALLS = 8;

  @Test
  void httpsToAPlainHttpPortFailsAtOnceSayingTheServerDoesNotSpeakTls() throws Exception {
    // the Netty engine answers a ClientHello with an HTTP error, as a plain HTTP server does
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).latency(Latency.none()).start();
        FanoutClient client = FanoutClient.builder().baseUrl("https://127.0.0.1:" + backend.port()).build()) {
      for (ConnectionSetupException e : fanOutFailures(client)) {
        assertThat(e.host()).isEqualTo("127.0.0.1:" + backend.port());
        assertThat(e).hasMessageContaining("the TLS handshake with 127.0.0.1:" + backend.port() + " failed")
            .hasMessageContaining("did not answer in TLS");
      }
      assertThat(backend.stats().requests("users")).isZero();
    }
  }

  @Test
  void aHandshakeTheServerRefusesWithAnAlertFailsAtOnceNamingTheHost() throws Exception {
    try (AlertServer server = new AlertServer();
        FanoutClient client = FanoutClient.builder().baseUrl("https://127.0.0.1:" + server.port()).build()) {
      for (ConnectionSetupException e : fanOutFailures(client)) {
        assertThat(e.host()).isEqualTo("127.0.0.1:" + server.port());
        assertThat(e).hasMessageContaining("the TLS handshake with 127.0.0.1:" + server.port() + " failed")
            .hasMessageContaining("the server refused the handshake")
            .hasMessageContaining("internal_error");
      }
      assertThat(server.accepted.get()).isBetween(1, CALLS); // no retry opened a connection of its own
    }
  }

  /** Fans out {@link #CALLS} lookups; each fails with a {@link ConnectionSetupException} after one attempt. */
  private static List<ConnectionSetupException> fanOutFailures(FanoutClient client) {
    List<CompletableFuture<User>> calls = new ArrayList<>();
    for (int i = 1; i <= CALLS; i++) calls.add(client.users().getAsync(i));
    List<ConnectionSetupException> failures = new ArrayList<>();
    for (CompletableFuture<User> f : calls) {
      Throwable e = f.handle((user, error) -> error).join();
      if (e instanceof CompletionException) e = e.getCause();
      assertThat(e).isInstanceOf(ConnectionSetupException.class);
      ConnectionSetupException setup = (ConnectionSetupException) e;
      assertThat(setup.reason()).isEqualTo(ConnectionSetupException.Reason.TLS_HANDSHAKE);
      assertThat(setup.attempts()).isEqualTo(1);
      failures.add(setup);
    }
    assertThat(client.stats().attemptsStarted()).isEqualTo(CALLS);
    return failures;
  }

  /**
   * Answers every connection's first bytes (a ClientHello) with a TLS fatal alert {@code internal_error}, as Go's
   * TLS does without a certificate for the name asked, then reads to the end so that it never resets the client
   * before the alert is read.
   */
  private static final class AlertServer implements AutoCloseable {
    private static final byte[] FATAL_INTERNAL_ERROR = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x50};
    final AtomicInteger accepted = new AtomicInteger();
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final Thread acceptor = new Thread(this::serve, "alert-server");

    AlertServer() throws IOException {
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    private void serve() {
      while (!socket.isClosed()) {
        Socket s;
        try {
          s = socket.accept();
        } catch (IOException e) {
          return; // closed
        }
        accepted.incrementAndGet();
        Thread t = new Thread(() -> answer(s), "alert-server-conn");
        t.setDaemon(true);
        t.start();
      }
    }

    private static void answer(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        if (in.read() < 0) return;
        OutputStream out = s.getOutputStream();
        out.write(FATAL_INTERNAL_ERROR);
        out.flush();
        byte[] rest = new byte[4096];
        while (in.read(rest) >= 0) {
          // the rest of the ClientHello, until the client closes
        }
      } catch (IOException e) {
        // the client went
      }
    }

    @Override
    public void close() throws Exception {
      socket.close();
      acceptor.join();
    }
  }
}
