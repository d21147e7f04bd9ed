package dev.fanout.mock.internal;

import java.io.IOException;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/**
 * A fixed response body that reports whether it was fully written (completed) or not (aborted),
 * and that can cut the connection halfway through (the disconnect-during-body fault).
 */
final class TrackedBody implements MockResponseBody {
  private final byte[] bytes;
  private final StatsRecorder.Exchange exchange;
  private final TrackedSocket http1; // null on HTTP/2
  private final boolean disconnectHalfway;

  TrackedBody(byte[] bytes, StatsRecorder.Exchange exchange, TrackedSocket http1, boolean disconnectHalfway) {
    this.bytes = bytes;
    this.exchange = exchange;
    this.http1 = http1;
    this.disconnectHalfway = disconnectHalfway;
  }

  @Override
  public long getContentLength() {
    return bytes.length;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    try {
      if (disconnectHalfway) {
        sink.write(bytes, 0, bytes.length / 2);
        sink.flush();
        exchange.aborted();
        if (http1 != null) {
          http1.kill(); // later writes are swallowed and MockWebServer ends the connection cleanly
          return;
        }
        throw new IOException("injected disconnect during body");
      }
      sink.write(bytes);
      sink.flush();
      exchange.completed();
    } catch (IOException e) {
      exchange.aborted();
      if (http1 != null && http1.isKilled()) return;
      throw e;
    }
  }
}
