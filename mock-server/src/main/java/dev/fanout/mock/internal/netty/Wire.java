package dev.fanout.mock.internal.netty;

import dev.fanout.mock.internal.Reply;
import dev.fanout.mock.internal.StatsRecorder;
import io.netty.util.concurrent.Future;
import java.util.Map;

/**
 * How a {@link Play} writes one exchange: an HTTP/1.1 connection or one HTTP/2 stream. Every method is
 * called on the connection's event loop.
 */
interface Wire {
  /** Sends {@code reply} whole; counts {@code exchange} (null for admin) completed or aborted by the write's outcome. */
  void send(Reply reply, StatsRecorder.Exchange exchange);

  /** Sends the head of {@code reply} (its full length announced) and half its body, then cuts the exchange off. */
  void sendHalf(Reply reply);

  /** Cuts the exchange off without a byte: HTTP/1 closes the connection, HTTP/2 resets the stream. */
  void kill();

  /** Sends the head of a server-sent event stream. */
  void startStream(Map<String, String> headers);

  /** Sends one piece of the stream; {@code last} ends it. The future says whether it was written. */
  Future<Void> chunk(byte[] bytes, boolean last);

  /** Runs {@code task} on the event loop after {@code nanos}. */
  Future<?> schedule(Runnable task, long nanos);

  /** Counts {@code exchange} (null: not counted) completed if {@code write} succeeds, aborted if it fails. */
  static <V> void countOutcome(Future<V> write, StatsRecorder.Exchange exchange) {
    if (exchange == null) return;
    write.addListener(f -> {
      if (f.isSuccess()) exchange.completed();
      else exchange.aborted();
    });
  }
}
