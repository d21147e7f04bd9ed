package dev.fanout.bench.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers the requests of one HTTP/1.1 connection or one HTTP/2 stream. A delayed answer is a task
 * scheduled on the channel's event loop; if the channel closes first, the task is cancelled and the
 * exchange counted as aborted. No thread waits.
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final Routing routing;
  private final boolean http2;
  private final int connection;
  private final AtomicInteger exchanges;
  private final Deque<Pending> pending = new ArrayDeque<>();

  RequestHandler(Routing routing, boolean http2, int connection, AtomicInteger exchanges) {
    this.routing = routing;
    this.http2 = http2;
    this.connection = connection;
    this.exchanges = exchanges;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = http2 || HttpUtil.isKeepAlive(request);
    String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
    if (http2) host = request.headers().get("x-http2-authority", host);
    Routing.Answer answer = routing.answer(request, host, http2, connection, exchanges.getAndIncrement());
    FullHttpResponse response = answer.response();
    if (!http2) {
      if (keepAlive) response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      else response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (answer.delayNanos() <= 0) {
      send(ctx, answer, keepAlive);
      return;
    }
    Pending p = new Pending(answer);
    pending.addLast(p);
    p.timer = ctx.executor().schedule(() -> {
      pending.remove(p);
      send(ctx, answer, keepAlive);
    }, answer.delayNanos(), TimeUnit.NANOSECONDS);
  }

  private static void send(ChannelHandlerContext ctx, Routing.Answer answer, boolean keepAlive) {
    ctx.writeAndFlush(answer.response()).addListener((ChannelFutureListener) f -> {
      if (answer.exchange() != null) {
        if (f.isSuccess()) answer.exchange().completed();
        else answer.exchange().aborted();
      }
      if (!keepAlive || !f.isSuccess()) f.channel().close();
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    for (Pending p : pending) {
      p.timer.cancel(false);
      p.answer.response().release();
      if (p.answer.exchange() != null) p.answer.exchange().aborted();
    }
    pending.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** A response waiting for its delay. */
  private static final class Pending {
    final Routing.Answer answer;
    ScheduledFuture<?> timer;

    Pending(Routing.Answer answer) {
      this.answer = answer;
    }
  }
}
