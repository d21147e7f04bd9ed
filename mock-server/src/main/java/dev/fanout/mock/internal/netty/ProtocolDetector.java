package dev.fanout.mock.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Looks at the first bytes of a connection: the HTTP/2 connection preface selects h2c with prior
 * knowledge (frames answered by one {@link Http2RequestHandler} per connection), anything else
 * HTTP/1.1. Behind TLS it reads the decrypted bytes: a client that chose {@code h2} by ALPN sends the
 * preface. Over HTTP/2 the server announces its stream limit; a stream beyond it is refused
 * ({@code RST_STREAM REFUSED_STREAM}) by Netty's codec. No {@code Upgrade: h2c} handling: a client that asks for an upgrade stays on HTTP/1.1.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
  /** Streams a client may open at once on one connection unless the backend sets a limit: enough for any fan-out. */
  static final long MAX_CONCURRENT_STREAMS = 1_000_000;
  /** The longest request line read (MockWebServer reads lines of any length): room for a 100 KiB URL and more. */
  static final int MAX_REQUEST_LINE = 1 << 20;
  /** The most header bytes read; larger get a 400 naming the limit, then a close. */
  static final int MAX_HEADER_BYTES = 2 << 20;
  private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

  private final Routing routing;
  private final AtomicInteger connections;
  private final KeepAlive keepAlive;
  private final long maxConcurrentStreams;
  private final StreamRefusals refusals;

  /** {@code maxConcurrentStreams} 0 announces {@link #MAX_CONCURRENT_STREAMS}. */
  ProtocolDetector(Routing routing, AtomicInteger connections, KeepAlive keepAlive, long maxConcurrentStreams,
      StreamRefusals refusals) {
    this.refusals = refusals;
    this.maxConcurrentStreams = maxConcurrentStreams > 0 ? maxConcurrentStreams : MAX_CONCURRENT_STREAMS;
    this.routing = routing;
    this.connections = connections;
    this.keepAlive = keepAlive;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    int prefaceLength = PREFACE.readableBytes();
    int n = Math.min(in.readableBytes(), prefaceLength);
    boolean h2 = ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n);
    if (h2 && n < prefaceLength) return; // could still be the preface: wait for more bytes
    int connection = connections.getAndIncrement();
    ChannelPipeline p = ctx.pipeline();
    if (h2) {
      p.addAfter(ctx.name(), "h2", Http2FrameCodecBuilder.forServer()
          .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams))
          .validateHeaders(false)
          // closing the channel (the server's shutdown) sends GOAWAY and closes at once, not after open streams
          .gracefulShutdownTimeoutMillis(0)
          .build());
      p.addAfter("h2", "h2-handler", new Http2RequestHandler(routing, connection, keepAlive, refusals));
    } else {
      RequestHandler handler = new RequestHandler(routing, connection, keepAlive);
      int limit = (int) Math.min(Integer.MAX_VALUE, routing.maxBodyBytes());
      p.addAfter(ctx.name(), "http", new HttpServerCodec(new HttpDecoderConfig()
          .setMaxInitialLineLength(MAX_REQUEST_LINE).setMaxHeaderSize(MAX_HEADER_BYTES)));
      p.addAfter("http", "aggregator", new HttpObjectAggregator(limit) {
        @Override
        protected void handleOversizedMessage(ChannelHandlerContext c, HttpMessage oversized) {
          String uri = oversized instanceof HttpRequest ? ((HttpRequest) oversized).uri() : "/";
          handler.tooLarge(c, uri, HttpUtil.getContentLength(oversized, -1L));
        }
      });
      p.addAfter("aggregator", "handler", handler);
    }
    p.remove(this); // hands the bytes read so far to the codec just added
    // The HTTP/2 codec wrote the server's SETTINGS as it was added; send them now, as real servers do, not
    // with the first response (a client learns the stream limit from them before it sends more streams).
    if (h2) p.flush();
  }
}
