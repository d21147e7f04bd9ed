package dev.fanout.mock.internal.netty;

import dev.fanout.mock.Stats;
import dev.fanout.mock.internal.Decision;
import dev.fanout.mock.internal.SseBody;
import dev.fanout.mock.internal.StatsRecorder;
import io.netty.util.concurrent.Future;
import java.util.List;

/**
 * Acts out one {@link Decision} on the event loop: the delay, the paced stream (time to first token,
 * then the per-token delay between events) and the faults, each wait a scheduled task, never a held
 * thread. Cancelled when the client goes (connection closed, stream reset) or the backend closes; the
 * exchange is then counted aborted. Touched only from its connection's event loop.
 */
final class Play {
  private final Decision decision;
  private final StatsRecorder.Exchange exchange;
  private final Wire wire;
  private Future<?> timer;
  private boolean over;

  Play(Decision decision, StatsRecorder.Exchange exchange, Wire wire) {
    this.decision = decision;
    this.exchange = exchange;
    this.wire = wire;
  }

  StatsRecorder.Exchange exchange() {
    return exchange;
  }

  void start() {
    if (decision.immediate()) {
      over = true;
      wire.send(decision.reply(), exchange);
    } else if (Stats.STALL.equals(decision.fault())) {
      // Never answers: ends when the client goes or the backend closes (cancel).
    } else if (decision.streamed()) {
      wire.startStream(decision.reply().headers());
      after(decision.firstTokenNanos(), () -> event(0));
    } else {
      after(decision.delay().toNanos(), this::answer);
    }
  }

  /** The client went away or the backend is closing: stop, and count the exchange aborted if it was not done. */
  void cancel() {
    over = true;
    if (timer != null) timer.cancel(false);
    exchange.aborted();
  }

  private void after(long nanos, Runnable task) {
    if (nanos <= 0) {
      task.run();
    } else {
      timer = wire.schedule(() -> {
        if (!over) task.run();
      }, nanos);
    }
  }

  private void answer() {
    over = true;
    String fault = decision.fault();
    if (fault == null) {
      wire.send(decision.reply(), exchange);
      return;
    }
    switch (fault) {
      case Stats.ERROR_5XX:
        wire.send(decision.errorReply(), exchange);
        break;
      case Stats.DISCONNECT_BEFORE_BODY:
        exchange.aborted();
        wire.kill();
        break;
      case Stats.DISCONNECT_DURING_BODY:
        exchange.aborted();
        wire.sendHalf(decision.bodyToCut());
        break;
      case Stats.MALFORMED_JSON:
        wire.send(decision.malformedReply(), exchange);
        break;
      default:
        throw new AssertionError(fault);
    }
  }

  private void event(int i) {
    List<byte[]> frames = decision.reply().frames();
    int events = decision.reply().events().size();
    while (i < frames.size() - 1) {
      wire.chunk(frames.get(i), false);
      if (i < events - 1) {
        int next = i + 1;
        after(decision.perTokenNanos(), () -> event(next));
        return;
      }
      i++;
    }
    over = true;
    Wire.countOutcome(wire.chunk(frames.get(frames.size() - 1), true), exchange);
  }
}
