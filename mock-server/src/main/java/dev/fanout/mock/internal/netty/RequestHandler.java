package dev.fanout.mock.internal.netty;

import dev.fanout.mock.internal.Reply;
import dev.fanout.mock.internal.SseBody;
import dev.fanout.mock.internal.StatsRecorder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Answers the requests of one HTTP/1.1 connection. Every wait is a task on the connection's event loop;
 * a connection that closes first cancels its plays and counts their exchanges aborted. No thread waits.
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final Routing routing;
  private final int connection;
  private final Plays plays;
  private int exchanges;

  RequestHandler(Routing routing, int connection, KeepAlive keepAlive) {
    this.routing = routing;
    this.connection = connection;
    this.plays = new Plays(keepAlive);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      // Not HTTP, or over a limit: a 400 naming why, then the connection closes (nothing after it can be trusted).
      Throwable cause = request.decoderResult().cause();
      routing.unparseable(String.valueOf(cause == null ? "unparseable request" : cause.getMessage()),
          new Http1Wire(ctx, false));
      return;
    }
    Http1Wire wire = new Http1Wire(ctx, HttpUtil.isKeepAlive(request));
    String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
    int exchange = exchanges++;
    plays.run(exchange, () -> routing.answer(request, host, false, connection, exchange, wire));
  }

  /** Called by the aggregator for a body over the limit: a JSON 413, then the connection closes. */
  void tooLarge(ChannelHandlerContext ctx, String uri, long contentLength) {
    routing.tooLarge(uri, contentLength, new Http1Wire(ctx, false));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    plays.cancelAll();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private static void copyHeaders(Map<String, String> from, HttpHeaders to) {
    for (Map.Entry<String, String> h : from.entrySet()) to.set(h.getKey(), h.getValue());
  }

  /** One exchange on an HTTP/1.1 connection. */
  private static final class Http1Wire implements Wire {
    private final ChannelHandlerContext ctx;
    private final boolean keepAlive;

    Http1Wire(ChannelHandlerContext ctx, boolean keepAlive) {
      this.ctx = ctx;
      this.keepAlive = keepAlive;
    }

    private void connectionHeader(HttpResponse r) {
      r.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    }

    @Override
    public void send(Reply reply, StatsRecorder.Exchange exchange) {
      byte[] body = reply.body();
      FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.code()),
          Unpooled.wrappedBuffer(body));
      copyHeaders(reply.headers(), r.headers());
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType()).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      connectionHeader(r);
      ChannelFuture write = ctx.writeAndFlush(r);
      Wire.countOutcome(write, exchange);
      write.addListener((ChannelFutureListener) f -> {
        if (!keepAlive || !f.isSuccess()) f.channel().close();
      });
    }

    @Override
    public void sendHalf(Reply reply) {
      byte[] body = reply.body();
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.code()));
      copyHeaders(reply.headers(), head.headers());
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      connectionHeader(head);
      ctx.write(head);
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(body, 0, body.length / 2)))
          .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void kill() {
      ctx.close();
    }

    @Override
    public void startStream(Map<String, String> headers) {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      copyHeaders(headers, head.headers());
      head.headers().remove(HttpHeaderNames.CONTENT_LENGTH)
          .set(HttpHeaderNames.CONTENT_TYPE, SseBody.CONTENT_TYPE)
          .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
          .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      connectionHeader(head);
      ctx.writeAndFlush(head);
    }

    @Override
    public Future<Void> chunk(byte[] bytes, boolean last) {
      if (!last) return ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
      Future<Void> f = ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes)));
      if (!keepAlive) f.addListener(done -> ctx.close());
      return f;
    }

    @Override
    public Future<?> schedule(Runnable task, long nanos) {
      return ctx.executor().schedule(task, nanos, TimeUnit.NANOSECONDS);
    }
  }
}
