package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link StaleConnectionReplay}'s check of an idle connection on real loopback sockets: silent and open is
 * healthy (and keeps its read timeout), closed by the peer or talking unasked is not. Each peer state is set
 * up before the check runs (the close is joined), so nothing here races.
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

  /** The FIN or the bytes cross loopback in microseconds, but a check is 1 ms: look until it is seen. */
  private static String awaitNonNull(Socket client) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String closed;
    while ((closed = StaleConnectionReplay.closedByPeer(client)) == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the peer's close or bytes never arrived");
      }
      Thread.sleep(1);
    }
    return closed;
  }
}
