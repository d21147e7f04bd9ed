package dev.fanout.bench.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Answers the streams of one HTTP/2 connection at the frame level, on the connection's own pipeline: no
 * child channel and no HTTP/1 object conversion per stream. A delayed answer is a task scheduled on the
 * connection's event loop; a stream the client resets, or a connection that closes, cancels it and counts
 * the exchange as aborted. Every map here is touched only from the event loop.
 */
final class Http2RequestHandler extends ChannelInboundHandlerAdapter {
  private final Routing routing;
  private final int connection;
  private final int maxBodyBytes;
  private final Map<Integer, Incoming> incoming = new HashMap<>();
  private final Map<Integer, Waiting> waiting = new HashMap<>();
  private int exchanges;

  Http2RequestHandler(Routing routing, int connection, int maxBodyBytes) {
    this.routing = routing;
    this.connection = connection;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    try {
      if (msg instanceof Http2HeadersFrame) {
        Http2HeadersFrame h = (Http2HeadersFrame) msg;
        Incoming in = incoming.get(h.stream().id());
        if (in == null) {
          in = new Incoming(h.stream(), h.headers(), ctx.alloc().compositeBuffer());
          incoming.put(h.stream().id(), in);
        }
        if (h.isEndStream()) answer(ctx, incoming.remove(h.stream().id()));
      } else if (msg instanceof Http2DataFrame) {
        Http2DataFrame d = (Http2DataFrame) msg;
        Incoming in = incoming.get(d.stream().id());
        if (d.initialFlowControlledBytes() > 0) {
          ctx.write(new DefaultHttp2WindowUpdateFrame(d.initialFlowControlledBytes()).stream(d.stream()));
        }
        if (in != null) {
          if (in.body.readableBytes() + d.content().readableBytes() > maxBodyBytes + 1L) {
            in.overflowed = true;
          } else {
            in.body.addComponent(true, d.content().retain());
          }
          if (d.isEndStream()) answer(ctx, incoming.remove(d.stream().id()));
        }
      } else if (msg instanceof Http2ResetFrame) {
        int id = ((Http2ResetFrame) msg).stream().id();
        Incoming in = incoming.remove(id);
        if (in != null) in.body.release();
        Waiting w = waiting.remove(id);
        if (w != null) w.cancel();
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  private void answer(ChannelHandlerContext ctx, Incoming in) throws Http2Exception {
    int id = in.stream.id();
    if (in.overflowed) {
      // Past the body limit: the aggregated body is cut so the route sees a size over the limit.
      in.body.addComponent(true, Unpooled.wrappedBuffer(new byte[1]));
    }
    FullHttpRequest request = HttpConversionUtil.toFullHttpRequest(id, in.headers, (ByteBuf) in.body, false);
    Routing.Answer answer;
    try {
      CharSequence authority = in.headers.authority();
      answer = routing.answer(request, authority == null ? "localhost" : authority.toString(), true, connection,
          exchanges++);
    } finally {
      request.release();
    }
    if (answer.delayNanos() <= 0) {
      send(ctx, in.stream, answer);
      return;
    }
    Waiting w = new Waiting(answer);
    waiting.put(id, w);
    w.timer = ctx.executor().schedule(() -> {
      if (waiting.remove(id) == w) {
        send(ctx, in.stream, answer);
        ctx.flush();
      }
    }, answer.delayNanos(), TimeUnit.NANOSECONDS);
  }

  private static void send(ChannelHandlerContext ctx, Http2FrameStream stream, Routing.Answer answer) {
    FullHttpResponse response = answer.response();
    Http2Headers headers = HttpConversionUtil.toHttp2Headers(response, false);
    ByteBuf content = response.content();
    boolean empty = !content.isReadable();
    ChannelFutureListener done = f -> {
      if (answer.exchange() != null) {
        if (f.isSuccess()) answer.exchange().completed();
        else answer.exchange().aborted();
      }
    };
    if (empty) {
      content.release();
      ctx.write(new DefaultHttp2HeadersFrame(headers, true).stream(stream)).addListener(done);
      return;
    }
    ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream));
    ctx.write(new DefaultHttp2DataFrame(content, true).stream(stream)).addListener(done);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    for (Incoming in : incoming.values()) in.body.release();
    incoming.clear();
    for (Waiting w : waiting.values()) w.cancel();
    waiting.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** A stream whose request is still arriving. */
  private static final class Incoming {
    final Http2FrameStream stream;
    final Http2Headers headers;
    final CompositeByteBuf body;
    boolean overflowed;

    Incoming(Http2FrameStream stream, Http2Headers headers, CompositeByteBuf body) {
      this.stream = stream;
      this.headers = headers == null ? new DefaultHttp2Headers() : headers;
      this.body = body;
    }
  }

  /** A response waiting for its delay. */
  private static final class Waiting {
    final Routing.Answer answer;
    ScheduledFuture<?> timer;

    Waiting(Routing.Answer answer) {
      this.answer = answer;
    }

    void cancel() {
      if (timer != null) timer.cancel(false);
      answer.response().release();
      if (answer.exchange() != null) answer.exchange().aborted();
    }
  }
}
