package dev.fanout.mock.internal.netty;

import dev.fanout.mock.ConnectionStats;
import dev.fanout.mock.internal.Decider;
import dev.fanout.mock.internal.RequestLog;
import dev.fanout.mock.internal.ServerConfig;
import dev.fanout.mock.internal.ServerEngine;
import dev.fanout.mock.internal.StatsRecorder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.GlobalEventExecutor;
import dev.fanout.mock.MockTls;
import javax.net.ssl.SSLException;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scale engine behind {@code MockBackend}: the mock-server's routes served by Netty, HTTP/1.1 and
 * h2c (prior knowledge) on one port, with every delay, stall and streamed token scheduled on the
 * connection's event loop, so N waiting responses cost N scheduled tasks, not N threads. Decisions come
 * from the same {@link Decider} as the MockWebServer engine. With TLS, HTTP/2 or HTTP/1.1 is chosen by
 * ALPN; HTTP/2 connections announce the configured stream limit and send {@code GOAWAY} when the server
 * closes.
 *
 * <p>A failed accept ({@code Too many open files}) is Netty's to survive: its acceptor stops reading for
 * a second and tries again; the failure is counted in {@link ConnectionStats#acceptFailures()}.
 *
 * <p>This server owns its event loops and shuts them down in {@link #close()}.
 */
public final class NettyServer implements ServerEngine {
  /** Event-loop threads serving connections: one per CPU. */
  public static final int DEFAULT_WORKER_THREADS = Runtime.getRuntime().availableProcessors();

  /** The name prefix of this engine's threads: {@code fanout-mock-netty-accept-…}, {@code fanout-mock-netty-io-…}. */
  public static final String THREAD_PREFIX = "fanout-mock-netty-";

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final InetSocketAddress address;
  private final KeepAlive.Counters counters = new KeepAlive.Counters();
  /** Open connections, closed through their pipelines on {@link #close()} so HTTP/2 ones send GOAWAY. */
  private final ChannelGroup children = new DefaultChannelGroup("fanout-mock-connections", GlobalEventExecutor.INSTANCE);

  /** Binds and starts; throws {@link UncheckedIOException} if it cannot bind. */
  public NettyServer(ServerConfig config, Decider decider, StatsRecorder stats, RequestLog requests) {
    String host = config.host();
    int port = config.port();
    long idleNanos = config.idleTimeout().toNanos();
    boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(THREAD_PREFIX + "accept", true),
        NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(DEFAULT_WORKER_THREADS, new DefaultThreadFactory(THREAD_PREFIX + "io", true),
        NioIoHandler.newFactory());
    Routing routing = new Routing(decider, stats, requests, config.maxBodyBytes());
    AtomicInteger connections = new AtomicInteger();
    SslContext ssl = config.tls().map(NettyServer::sslContext).orElse(null);
    long maxStreams = config.maxConcurrentStreams();
    StreamRefusals refusals = new StreamRefusals(config.refusedStreams(), config.goAwayAfterStreams());
    try {
      ServerBootstrap bootstrap = new ServerBootstrap()
          .group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, config.backlog())
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
              counters.acceptFailures.incrementAndGet(); // the acceptor after us backs off and logs it
              ctx.fireExceptionCaught(cause);
            }
          })
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              children.add(ch);
              KeepAlive keepAlive = new KeepAlive(idleNanos, counters);
              ch.pipeline().addLast("keep-alive", keepAlive);
              if (ssl != null) ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
              ch.pipeline().addLast(new ProtocolDetector(routing, connections, keepAlive, maxStreams, refusals));
            }
          });
      serverChannel = bootstrap.bind(host, port).syncUninterruptibly().channel();
    } catch (Exception e) { // Netty rethrows the BindException unchecked
      shutdown();
      throw ServerEngine.bindFailure(host, port, e);
    }
    address = (InetSocketAddress) serverChannel.localAddress();
  }

  /** A server TLS context offering h2 and http/1.1 by ALPN, the client's choice taken in that order. */
  private static SslContext sslContext(MockTls tls) {
    try {
      return SslContextBuilder.forServer(tls.serverCertificate().keyPair().getPrivate(), tls.chain())
          .sslProvider(SslProvider.JDK)
          .applicationProtocolConfig(new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
    }
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public ConnectionStats connectionStats() {
    return new ConnectionStats(counters.accepted.get(), (int) counters.open.get(), counters.idleClosed.get(),
        counters.acceptFailures.get());
  }

  /** Stops accepting, closes every connection (ending delayed, stalled and streaming responses) and the event loops. */
  @Override
  public void close() {
    if (boss.isShuttingDown()) return;
    serverChannel.close().syncUninterruptibly();
    // Through each pipeline: an HTTP/2 connection sends GOAWAY (last stream id, NO_ERROR) before it closes.
    children.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    shutdown();
  }

  private void shutdown() {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
