package dev.fanout.mock.internal.netty;

import dev.fanout.mock.internal.Reply;
import dev.fanout.mock.internal.SseBody;
import dev.fanout.mock.internal.StatsRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Answers the streams of one HTTP/2 connection at the frame level, on the connection's own pipeline (no
 * child channel per stream). Every wait is a task on the connection's event loop; a stream the client
 * resets, or a connection that closes, cancels its play and counts the exchange aborted. Every map here is
 * touched only from the event loop. A stream the {@link StreamRefusals} turn away is never routed nor counted:
 * it is refused with {@code RST_STREAM REFUSED_STREAM}, or it is the first past this connection's share and
 * gets {@code GOAWAY} naming the last stream processed (later ones the codec then ignores). The processed
 * streams are answered; the connection is left for the client to close (a server closing it at once races
 * the client's next write, which the client can then not tell from a failure).
 */
final class Http2RequestHandler extends ChannelInboundHandlerAdapter {
  private final Routing routing;
  private final int connection;
  private final Map<Integer, Incoming> incoming = new HashMap<>();
  private final Plays plays;
  private final StreamRefusals refusals;
  private int exchanges;
  /** The last stream id processed, or -1; after GOAWAY, the one it named. */
  private int lastProcessed = -1;
  private int processed;
  private boolean goneAway;

  Http2RequestHandler(Routing routing, int connection, KeepAlive keepAlive, StreamRefusals refusals) {
    this.refusals = refusals;
    this.routing = routing;
    this.connection = connection;
    this.plays = new Plays(keepAlive);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    try {
      if (msg instanceof Http2HeadersFrame) {
        Http2HeadersFrame h = (Http2HeadersFrame) msg;
        Incoming in = incoming.get(h.stream().id());
        if (in == null) {
          if (turnedAway(ctx, h.stream())) return;
          lastProcessed = h.stream().id();
          processed++;
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
          if (in.body.readableBytes() + (long) d.content().readableBytes() > routing.maxBodyBytes() + 1L) {
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
        plays.cancel(id);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * Refuses a new stream, or sends GOAWAY for it, if the refusals say so; returns true if it is not to be
   * processed.
   */
  private boolean turnedAway(ChannelHandlerContext ctx, Http2FrameStream stream) {
    if (goneAway) return true; // the codec ignores streams above the GOAWAY's id; this is one it had let through
    if (refusals.refuseNext()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM).stream(stream));
      return true;
    }
    if (refusals.goAwayAfter(processed)) {
      goneAway = true;
      Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
      // Not a GOAWAY frame written down the pipeline: the codec would name the last stream it created, this one.
      codec.goAway(ctx.pipeline().context(codec), Math.max(lastProcessed, 0), Http2Error.NO_ERROR.code(),
          Unpooled.EMPTY_BUFFER, ctx.newPromise());
      ctx.flush();
      return true;
    }
    return false;
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  private void answer(ChannelHandlerContext ctx, Incoming in) throws Http2Exception {
    int id = in.stream.id();
    if (in.overflowed) {
      // Past the body limit: the aggregated body is cut, one byte over, so the route answers 413.
      in.body.addComponent(true, Unpooled.wrappedBuffer(new byte[1]));
    }
    FullHttpRequest request = HttpConversionUtil.toFullHttpRequest(id, in.headers, (ByteBuf) in.body, false);
    CharSequence authority = in.headers.authority();
    int exchange = exchanges++;
    plays.run(id, () -> {
      try {
        return routing.answer(request, authority == null ? "localhost" : authority.toString(), true, connection,
            exchange, new Http2Wire(ctx, in.stream));
      } finally {
        request.release();
      }
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    for (Incoming in : incoming.values()) in.body.release();
    incoming.clear();
    plays.cancelAll();
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

  /** One exchange: one HTTP/2 stream. */
  private static final class Http2Wire implements Wire {
    private final ChannelHandlerContext ctx;
    private final Http2FrameStream stream;

    Http2Wire(ChannelHandlerContext ctx, Http2FrameStream stream) {
      this.ctx = ctx;
      this.stream = stream;
    }

    private static Http2Headers headers(int code, Map<String, String> from, String contentType) {
      Http2Headers h = new DefaultHttp2Headers().status(Integer.toString(code));
      for (Map.Entry<String, String> e : from.entrySet()) {
        h.set(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue());
      }
      h.set("content-type", contentType);
      return h;
    }

    @Override
    public void send(Reply reply, StatsRecorder.Exchange exchange) {
      byte[] body = reply.body();
      Http2Headers h = headers(reply.code(), reply.headers(), reply.contentType()).setInt("content-length", body.length);
      if (body.length == 0) {
        Wire.countOutcome(ctx.writeAndFlush(new DefaultHttp2HeadersFrame(h, true).stream(stream)), exchange);
        return;
      }
      ctx.write(new DefaultHttp2HeadersFrame(h, false).stream(stream));
      Wire.countOutcome(ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true).stream(stream)),
          exchange);
    }

    @Override
    public void sendHalf(Reply reply) {
      byte[] body = reply.body();
      Http2Headers h = headers(reply.code(), reply.headers(), "application/json").setInt("content-length", body.length);
      ctx.write(new DefaultHttp2HeadersFrame(h, false).stream(stream));
      ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body, 0, body.length / 2), false).stream(stream));
      kill();
    }

    @Override
    public void kill() {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream));
    }

    @Override
    public void startStream(Map<String, String> headers) {
      Http2Headers h = headers(200, headers, SseBody.CONTENT_TYPE).set("cache-control", "no-cache");
      h.remove("content-length");
      ctx.writeAndFlush(new DefaultHttp2HeadersFrame(h, false).stream(stream));
    }

    @Override
    public Future<Void> chunk(byte[] bytes, boolean last) {
      return ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), last).stream(stream));
    }

    @Override
    public Future<?> schedule(Runnable task, long nanos) {
      return ctx.executor().schedule(task, nanos, TimeUnit.NANOSECONDS);
    }
  }
}
