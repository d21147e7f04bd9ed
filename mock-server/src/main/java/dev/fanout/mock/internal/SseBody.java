package dev.fanout.mock.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mockwebserver3.MockResponseBody;
import okio.Buffer;
import okio.BufferedSink;

/**
 * A streamed chat completion: waits the time to first token, then writes each event as {@code data:
 * {json}\n\n} (Anthropic's with its {@code event:} line) with the per-token delay between them, then, for
 * OpenAI's form, {@code data: [DONE]\n\n}. On HTTP/1 it
 * does its own chunked framing, so each event reaches the client when it is written.
 */
public final class SseBody implements MockResponseBody {
  public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";
  public static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.UTF_8);

  private final List<byte[]> frames;
  private final int events;
  private final long firstTokenNanos;
  private final long perTokenNanos;
  private final Pause pause;
  private final StatsRecorder.Exchange exchange;
  private final TrackedSocket http1; // null on HTTP/2

  SseBody(Reply reply, long firstTokenNanos, long perTokenNanos, Pause pause,
      StatsRecorder.Exchange exchange, TrackedSocket http1) {
    this.frames = reply.frames();
    this.events = reply.events().size();
    this.firstTokenNanos = firstTokenNanos;
    this.perTokenNanos = perTokenNanos;
    this.pause = pause;
    this.exchange = exchange;
    this.http1 = http1;
  }

  /** One named event as sent: {@code event: <type>\ndata: <payload>\n\n} (Anthropic's form). */
  public static byte[] frame(String type, byte[] data) {
    Buffer b = new Buffer();
    b.writeUtf8("event: ").writeUtf8(type).writeUtf8("\n").writeUtf8("data: ").write(data).writeUtf8("\n\n");
    return b.readByteArray();
  }

  /** One event as sent: {@code data: <payload>\n\n}. */
  public static byte[] frame(byte[] data) {
    Buffer b = new Buffer();
    b.writeUtf8("data: ").write(data).writeUtf8("\n\n");
    return b.readByteArray();
  }

  @Override
  public long getContentLength() {
    return -1;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    try {
      if (firstTokenNanos > 0 && pause.clientGone(firstTokenNanos)) {
        gone();
        return;
      }
      for (int i = 0; i < frames.size(); i++) {
        writeChunk(sink, frames.get(i));
        sink.flush();
        if (perTokenNanos > 0 && i < events - 1 && pause.clientGone(perTokenNanos)) {
          gone();
          return;
        }
      }
      if (http1 != null) sink.writeUtf8("0\r\n"); // MockWebServer writes the (empty) trailers and the final CRLF
      sink.flush();
      exchange.completed();
    } catch (IOException e) {
      exchange.aborted();
      if (http1 != null && http1.isKilled()) return; // the connection ends quietly
      throw e;
    }
  }

  private void gone() throws IOException {
    exchange.aborted();
    if (http1 != null) {
      http1.kill();
    } else {
      throw new IOException("client went away or the backend is closing");
    }
  }

  private void writeChunk(BufferedSink sink, byte[] frame) throws IOException {
    if (http1 != null) {
      sink.writeHexadecimalUnsignedLong(frame.length).writeUtf8("\r\n").write(frame).writeUtf8("\r\n");
    } else {
      sink.write(frame);
    }
  }
}
