package dev.fanout.bench.server;

import dev.fanout.mock.Latency;
import dev.fanout.mock.Stats;
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
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's scale engine: the mock-server's users, chat, models, search and admin routes served by
 * Netty, HTTP/1.1 and HTTP/2 cleartext (prior knowledge) on one port, with every delay scheduled on the
 * connection's event loop ({@code ctx.executor().schedule(...)}) so that no thread is held while a response
 * waits. N concurrent requests cost N scheduled tasks, not N threads.
 *
 * <pre>{@code
 * try (NettyBackend backend = NettyBackend.builder().latency(Latency.fixed(Duration.ofSeconds(1))).start()) {
 *   String url = backend.url();
 * }
 * }</pre>
 *
 * <p>This backend owns its event loops and shuts them down in {@link #close()}.
 */
public final class NettyBackend implements AutoCloseable {
  /** The default interface to bind: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The default port: any free one. */
  public static final int DEFAULT_PORT = 0;
  /** The default accept backlog; the kernel caps it at {@code net.core.somaxconn}. */
  public static final int DEFAULT_BACKLOG = 16_384;
  /** The default number of event-loop threads that serve connections: one per CPU. */
  public static final int DEFAULT_WORKER_THREADS = Runtime.getRuntime().availableProcessors();
  /** The default largest request body accepted; larger ones get 413. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final StatsRecorder stats = new StatsRecorder();
  private final Latency latency;
  private final String url;
  private final int port;

  private NettyBackend(Builder b) {
    this.latency = b.latency;
    Routing.requireSupported(latency);
    boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(b.workerThreads, NioIoHandler.newFactory());
    Routing routing = new Routing(latency, stats, b.maxBodyBytes);
    try {
      ServerBootstrap bootstrap = new ServerBootstrap()
          .group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, b.backlog)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new ProtocolDetector(routing, b.maxBodyBytes));
            }
          });
      serverChannel = bootstrap.bind(b.host, b.port).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      shutdown(boss, workers);
      throw new IllegalStateException("cannot bind " + b.host + ":" + b.port + ": " + e.getMessage(), e);
    }
    InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
    port = bound.getPort();
    String h = bound.getAddress().getHostAddress();
    url = "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The base URL, {@code http://127.0.0.1:PORT}, without a trailing slash. */
  public String url() {
    return url;
  }

  public int port() {
    return port;
  }

  public Latency latency() {
    return latency;
  }

  /** What the backend has seen so far: requests per route, in flight, the most in flight at once. */
  public Stats stats() {
    return stats.snapshot();
  }

  /** Stops accepting, closes every connection and shuts the event loops down. Idempotent. */
  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    shutdown(boss, workers);
  }

  private static void shutdown(EventLoopGroup... groups) {
    for (EventLoopGroup g : groups) g.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    for (EventLoopGroup g : groups) g.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "NettyBackend{url=" + url + ", latency=" + latency + "}";
  }

  /** Configures and starts a {@link NettyBackend}; every setter validates and names a bad value. */
  public static final class Builder {
    private Latency latency = Latency.defaults();
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private int backlog = DEFAULT_BACKLOG;
    private int workerThreads = DEFAULT_WORKER_THREADS;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

    private Builder() {}

    /** How long responses take. Defaults to {@link Latency#defaults()} (1 s fixed). */
    public Builder latency(Latency latency) {
      if (latency == null) throw new IllegalArgumentException("latency == null");
      this.latency = latency;
      return this;
    }

    /** The interface to bind. Defaults to {@link #DEFAULT_HOST}. */
    public Builder host(String host) {
      if (host == null || host.isBlank()) throw new IllegalArgumentException("host is blank: '" + host + "'");
      this.host = host;
      return this;
    }

    /** The port, 0 for any free one. Defaults to {@link #DEFAULT_PORT} (0). */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) throw new IllegalArgumentException("port out of range: " + port);
      this.port = port;
      return this;
    }

    /** The accept backlog. Defaults to {@link #DEFAULT_BACKLOG} (16,384). */
    public Builder backlog(int backlog) {
      if (backlog < 1) throw new IllegalArgumentException("backlog < 1: " + backlog);
      this.backlog = backlog;
      return this;
    }

    /** Event-loop threads serving connections. Defaults to {@link #DEFAULT_WORKER_THREADS} (one per CPU). */
    public Builder workerThreads(int workerThreads) {
      if (workerThreads < 1) throw new IllegalArgumentException("workerThreads < 1: " + workerThreads);
      this.workerThreads = workerThreads;
      return this;
    }

    /** The largest request body accepted. Defaults to {@link #DEFAULT_MAX_BODY_BYTES} (1 MiB). */
    public Builder maxBodyBytes(int maxBodyBytes) {
      if (maxBodyBytes < 0) throw new IllegalArgumentException("maxBodyBytes < 0: " + maxBodyBytes);
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** Binds and starts the backend; it accepts connections when this returns. */
    public NettyBackend start() {
      return new NettyBackend(this);
    }
  }
}
