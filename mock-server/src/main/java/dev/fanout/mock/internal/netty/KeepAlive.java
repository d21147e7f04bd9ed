package dev.fanout.mock.internal.netty;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The first handler of every connection: counts it open and, with an idle timeout, closes it once, after
 * its last response, it has carried no request and read and written nothing for that long (a FIN, like
 * Node.js's {@code keepAliveTimeout}; a connection that never completes a request is not timed). The request handlers say when an exchange starts ({@link #begin()}) and ends
 * ({@link #end()}); reads and completed writes count as activity. One timer per connection, re-armed to
 * the last activity; everything here runs on the connection's event loop.
 */
final class KeepAlive extends ChannelDuplexHandler {
  /** Connection counters shared by every connection of one server. */
  static final class Counters {
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong open = new AtomicLong();
    final AtomicLong idleClosed = new AtomicLong();
    final AtomicLong acceptFailures = new AtomicLong();
  }

  private final long idleNanos; // 0: never close for idleness
  private final Counters counters;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  private long lastActivityNanos;
  private int exchanges;

  KeepAlive(long idleNanos, Counters counters) {
    this.idleNanos = idleNanos;
    this.counters = counters;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    counters.accepted.incrementAndGet();
    counters.open.incrementAndGet();
    ctx.channel().closeFuture().addListener(f -> {
      counters.open.decrementAndGet();
      if (timer != null) timer.cancel(false);
    });
    touch();
  }

  /** An exchange started on this connection: it is not idle until every started exchange has ended. */
  void begin() {
    exchanges++;
    touch();
  }

  /** An exchange ended (answered, cut off or reset). */
  void end() {
    exchanges--;
    touch();
    if (exchanges == 0) arm(idleNanos);
  }

  private void touch() {
    lastActivityNanos = System.nanoTime();
  }

  private void arm(long nanos) {
    if (idleNanos <= 0 || (timer != null && !timer.isDone())) return;
    timer = ctx.executor().schedule(this::check, nanos, TimeUnit.NANOSECONDS);
  }

  private void check() {
    timer = null;
    if (!ctx.channel().isActive()) return;
    if (exchanges > 0) {
      arm(idleNanos);
      return;
    }
    long idleFor = System.nanoTime() - lastActivityNanos;
    if (idleFor >= idleNanos) {
      counters.idleClosed.incrementAndGet();
      ctx.close();
    } else {
      arm(idleNanos - idleFor);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    touch();
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    touch();
    if (idleNanos > 0) {
      ChannelPromise tracked = promise.unvoid();
      tracked.addListener((ChannelFutureListener) f -> touch());
      ctx.write(msg, tracked);
    } else {
      ctx.write(msg, promise);
    }
  }
}
