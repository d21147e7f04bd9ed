package dev.fanout.mock.internal.netty;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The plays in progress on one connection, each under the key its handler names it by (an HTTP/1.1 exchange's
 * index, an HTTP/2 stream's id). An exchange counts as one for the connection's {@link KeepAlive} from before
 * it is routed until it is answered, cut off or cancelled. Touched only from the connection's event loop.
 */
final class Plays {
  private final KeepAlive keepAlive;
  private final Map<Integer, Play> running = new HashMap<>();

  Plays(KeepAlive keepAlive) {
    this.keepAlive = keepAlive;
  }

  /**
   * Routes one exchange with {@code route}, which answers it at once (and returns null) or returns its
   * {@link Play}, not yet started; that play is then tracked under {@code key} until it is done, and started.
   */
  void run(int key, Supplier<Play> route) {
    keepAlive.begin();
    Play play = route.get();
    if (play == null) { // answered at once; the write's completion counts as activity
      keepAlive.end();
      return;
    }
    running.put(key, play);
    play.exchange().onDone(() -> {
      running.remove(key, play);
      keepAlive.end();
    });
    play.start();
  }

  /** Cancels the play under {@code key}, if one is running (an HTTP/2 stream the client reset). */
  void cancel(int key) {
    Play p = running.remove(key);
    if (p != null) p.cancel();
  }

  /** Cancels every play (the connection closed). */
  void cancelAll() {
    for (Play p : List.copyOf(running.values())) p.cancel();
    running.clear();
  }
}
