package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Netty engine's refused streams and GOAWAY, read off the wire as raw HTTP/2 frames (h2c with prior
 * knowledge): what a client of nginx at its stream limit or during a reload receives. Frames are read until
 * the one the test waits for, never for a time.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Http2RefusalsTest {
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int GOAWAY = 7;
  private static final int REFUSED_STREAM = 7;

  /** One frame as read: type, stream id, payload. */
  private record Frame(int type, int stream, byte[] payload) {
    int firstInt() {
      return ByteBuffer.wrap(payload).getInt() & 0x7fffffff;
    }
  }

  @Test
  void theFirstStreamsAreRefusedUnprocessedAndTheNextAnswered() throws Exception {
    try (MockBackend b = MockBackend.builder().engine(Engine.NETTY).http2PriorKnowledge(true).refusedStreams(2)
            .latency(Latency.none()).start();
        Socket s = new Socket("127.0.0.1", b.port())) {
      OutputStream out = preface(s);
      for (int stream : new int[] {1, 3, 5}) out.write(getUser(stream));
      out.flush();
      List<Frame> frames = readUntil(s, f -> f.type() == HEADERS && f.stream() == 5);

      assertThat(frames).filteredOn(f -> f.type() == RST_STREAM)
          .extracting(Frame::stream, Frame::firstInt)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(1, REFUSED_STREAM),
              org.assertj.core.groups.Tuple.tuple(3, REFUSED_STREAM));
      assertThat(frames).filteredOn(f -> f.type() == HEADERS).extracting(Frame::stream).containsExactly(5);
      assertThat(b.awaitIdle(Duration.ofSeconds(10)).totalRequests()).as("refused streams are not processed").isEqualTo(1);
    }
  }

  @Test
  void aConnectionPastItsShareSendsGoawayNamingTheLastProcessedStreamAndAnswersThatOnesOnly() throws Exception {
    try (MockBackend b = MockBackend.builder().engine(Engine.NETTY).http2PriorKnowledge(true).goAwayAfterStreams(2)
            .latency(Latency.fixed(Duration.ofMillis(200))).start();
        Socket s = new Socket("127.0.0.1", b.port())) {
      OutputStream out = preface(s);
      for (int stream : new int[] {1, 3, 5, 7}) out.write(getUser(stream));
      out.flush();
      int[] answered = {0};
      List<Frame> frames = readUntil(s, f -> f.type() == HEADERS && ++answered[0] == 2);
      out.write(getUser(9)); // after GOAWAY: not processed either
      out.write(new byte[] {0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}); // PING, answered after stream 9
      out.flush();
      frames.addAll(readUntil(s, f -> f.type() == 6));

      assertThat(frames).filteredOn(f -> f.type() == GOAWAY).extracting(Frame::firstInt).first().isEqualTo(3);
      assertThat(frames).filteredOn(f -> f.type() == HEADERS).extracting(Frame::stream).containsExactlyInAnyOrder(1, 3);
      assertThat(b.awaitIdle(Duration.ofSeconds(10)).totalRequests()).isEqualTo(2);
      assertThat(b.awaitIdle(Duration.ofSeconds(10)).completed()).isEqualTo(2);
    }
  }

  @Test
  void refusalsNeedTheNettyEngine() {
    assertThatThrownBy(() -> MockBackend.builder().refusedStreams(1).start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need Engine.NETTY");
    assertThatThrownBy(() -> MockBackend.builder().goAwayAfterStreams(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("goAwayAfterStreams < 0: -1");
  }

  private static OutputStream preface(Socket s) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
    return out;
  }

  /** A HEADERS frame (END_STREAM, END_HEADERS) for {@code GET /users/1}, HPACK without the dynamic table. */
  private static byte[] getUser(int stream) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x82); // :method GET
    block.write(0x86); // :scheme http
    literal(block, 4, "/users/1"); // :path
    literal(block, 1, "localhost"); // :authority
    byte[] b = block.toByteArray();
    ByteBuffer frame = ByteBuffer.allocate(9 + b.length);
    frame.put((byte) (b.length >>> 16)).put((byte) (b.length >>> 8)).put((byte) b.length);
    frame.put((byte) HEADERS).put((byte) 0x5).putInt(stream).put(b);
    return frame.array();
  }

  private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
    block.write(nameIndex); // literal header field without indexing, indexed name (4-bit prefix)
    byte[] v = value.getBytes(StandardCharsets.US_ASCII);
    block.write(v.length);
    block.write(v, 0, v.length);
  }

  private static List<Frame> readUntil(Socket s, java.util.function.Predicate<Frame> last) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    List<Frame> frames = new ArrayList<>();
    try {
      while (true) {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        in.readUnsignedByte(); // flags
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        Frame f = new Frame(type, stream, payload);
        frames.add(f);
        if (last.test(f)) return frames;
      }
    } catch (EOFException | java.net.SocketException closed) {
      return frames;
    }
  }
}
