package dev.fanout.mock.internal.netty;

import dev.fanout.mock.internal.Decider;
import dev.fanout.mock.internal.StatsRecorder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import mockwebserver3.RecordedRequest;

/**
 * The scale engine behind {@code MockBackend}: the mock-server's routes served by Netty, HTTP/1.1 and
 * h2c (prior knowledge) on one port, with every delay, stall and streamed token scheduled on the
 * connection's event loop, so N waiting responses cost N scheduled tasks, not N threads. Decisions come
 * from the same {@link Decider} as the MockWebServer engine.
 *
 * <p>This server owns its event loops and shuts them down in {@link #close()}.
 */
public final class NettyServer implements AutoCloseable {
  /** Event-loop threads serving connections: one per CPU. */
  public static final int DEFAULT_WORKER_THREADS = Runtime.getRuntime().availableProcessors();

  /** The name prefix of this engine's threads: {@code fanout-mock-netty-accept-…}, {@code fanout-mock-netty-io-…}. */
  public static final String THREAD_PREFIX = "fanout-mock-netty-";

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final InetSocketAddress address;

  /** Binds and starts; throws {@link UncheckedIOException} if it cannot bind. */
  public NettyServer(String host, int port, int backlog, long maxBodyBytes, Decider decider, StatsRecorder stats,
      Consumer<RecordedRequest> recorder) {
    boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(THREAD_PREFIX + "accept", true),
        NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(DEFAULT_WORKER_THREADS, new DefaultThreadFactory(THREAD_PREFIX + "io", true),
        NioIoHandler.newFactory());
    Routing routing = new Routing(decider, stats, recorder, maxBodyBytes);
    AtomicInteger connections = new AtomicInteger();
    try {
      ServerBootstrap bootstrap = new ServerBootstrap()
          .group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, backlog)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new ProtocolDetector(routing, connections));
            }
          });
      serverChannel = bootstrap.bind(host, port).syncUninterruptibly().channel();
    } catch (Exception e) { // Netty rethrows the BindException unchecked
      shutdown();
      IOException io = e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
      throw new UncheckedIOException("cannot bind " + host + ":" + port + ": " + e.getMessage(), io);
    }
    address = (InetSocketAddress) serverChannel.localAddress();
  }

  public InetSocketAddress address() {
    return address;
  }

  /** Stops accepting, closes every connection (ending delayed, stalled and streaming responses) and the event loops. */
  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    shutdown();
  }

  private void shutdown() {
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    boss.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
