package dev.fanout.mock;

import dev.fanout.common.Durations;
import dev.fanout.common.cli.DurationConverter;
import dev.fanout.common.cli.ParsingConverter;
import dev.fanout.common.cli.Tail;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The standalone mock server: {@code java -jar mock-server/target/fanout-mock-server.jar --port 0
 * --latency 1s}. Prints {@code Listening on http://127.0.0.1:PORT} as the first line of stdout
 * once it accepts connections, serves until SIGINT or SIGTERM, then shuts down cleanly. A bad flag
 * prints one line and the usage on stderr and exits with 2.
 */
@Command(
    name = "fanout-mock-server",
    mixinStandardHelpOptions = true,
    version = "fanout-mock-server 0.1.0",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "Simulated latency-bound backends for Fanout.",
        "Routes: GET /users/{id}   POST /v1/chat/completions   POST /v1/messages   POST /v1/embeddings",
        "        POST /v1/messages/count_tokens",
        "        GET /v1/models   /v1/files, /v1/batches (Batch API)   GET /search?q=&k=",
        "        GET /__admin/stats   POST /__admin/reset"
    })
public final class MockServerMain implements Callable<Integer> {
  /** Exit code of a bad flag (picocli's usage error). */
  public static final int EXIT_USAGE = 2;
  /** Exit code when the server cannot start (for example the port is taken). */
  public static final int EXIT_CANNOT_START = 1;

  @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on; 0 picks a free one. Defaults to ${DEFAULT-VALUE}.")
  int port = MockBackend.DEFAULT_PORT;

  @Option(names = "--host", paramLabel = "HOST",
      description = "Interface to bind; anything but loopback exposes the mock to the network. Defaults to ${DEFAULT-VALUE}.")
  String host = MockBackend.DEFAULT_HOST;

  @Option(names = "--latency", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Fixed delay of every response, e.g. 1s, 250ms, 0. Defaults to 1s.")
  Duration latency = Latency.DEFAULT_DELAY;

  @Option(names = "--jitter", paramLabel = "JITTER", converter = JitterConverter.class,
      description = "Random variation: none, uniform:100ms, normal:50ms or lognormal:0.5 (a bare duration means uniform). Defaults to none.")
  Jitter jitter = Jitter.none();

  @Option(names = "--seed", paramLabel = "SEED", description = "Seed of jitter and fault draws. Defaults to ${DEFAULT-VALUE}.")
  long seed = Latency.DEFAULT_SEED;

  @Option(names = "--time-to-first-token", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Streamed chat: wait before the first chunk. Defaults to the latency.")
  Duration timeToFirstToken;

  @Option(names = "--per-token-delay", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Streamed chat: wait between chunks. Defaults to 0.")
  Duration perTokenDelay = Latency.DEFAULT_PER_TOKEN_DELAY;

  @Option(names = "--error-rate", paramLabel = "P", description = "Probability of a 5xx answer. Defaults to ${DEFAULT-VALUE}.")
  double errorRate;

  @Option(names = "--disconnect-before-body-rate", paramLabel = "P",
      description = "Probability of closing the connection before any response byte. Defaults to ${DEFAULT-VALUE}.")
  double disconnectBeforeBodyRate;

  @Option(names = "--disconnect-during-body-rate", paramLabel = "P",
      description = "Probability of closing the connection halfway through the body. Defaults to ${DEFAULT-VALUE}.")
  double disconnectDuringBodyRate;

  @Option(names = "--stall-rate", paramLabel = "P", description = "Probability of never answering. Defaults to ${DEFAULT-VALUE}.")
  double stallRate;

  @Option(names = "--malformed-json-rate", paramLabel = "P",
      description = "Probability of a truncated JSON body. Defaults to ${DEFAULT-VALUE}.")
  double malformedJsonRate;

  @Option(names = "--rate-limit", paramLabel = "RPS", description = "Requests per second admitted (token bucket), others get 429. Defaults to 0 (unlimited).")
  double rateLimit;

  @Option(names = "--rate-limit-burst", paramLabel = "N", description = "Token bucket capacity of --rate-limit. Defaults to ceil(RPS).")
  double rateLimitBurst;

  // Superseded by --tpm (metered like OpenAI); still accepted, not listed in --help.
  @Option(names = "--chat-tokens-per-minute", paramLabel = "N", hidden = true,
      description = "Chat tokens per minute admitted, others get 429; 0 = unlimited.")
  long chatTokensPerMinute;

  // Provider-style metering and the latency tail.
  @Option(names = "--rpm", paramLabel = "N",
      description = "Requests per minute metered like OpenAI on chat and embeddings (token bucket, x-ratelimit-* "
          + "headers, 429 with retry-after-ms). Defaults to 0 (off).")
  long rpm = Faults.NO_METERING;

  @Option(names = "--tpm", paramLabel = "N",
      description = "Tokens per minute metered like OpenAI (prompt chars/4 + max_tokens charged, corrected to "
          + "usage). Defaults to 0 (off).")
  long tpm = Faults.NO_METERING;

  @Option(names = "--meter-depth", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How much of the per-minute limits the buckets hold, e.g. 1s (6000/min bursts 100) or 1m. "
          + "Defaults to 1s.")
  Duration meterDepth = Faults.DEFAULT_METER_DEPTH;

  @Option(names = "--max-tokens-estimate", paramLabel = "N",
      description = "Completion tokens charged for a chat request without max_tokens. Defaults to ${DEFAULT-VALUE}.")
  long maxTokensEstimate = Faults.DEFAULT_MAX_TOKENS_ESTIMATE;

  @Option(names = "--tail", paramLabel = "P:DURATION", converter = Tail.Converter.class,
      description = "Heavy tail: a seeded share P of requests take DURATION instead, e.g. 0.03:3s. Defaults to none.")
  Tail tail = Tail.NONE;

  @Option(names = "--http2", description = "Speak cleartext HTTP/2 with prior knowledge (h2c) instead of HTTP/1.1. Defaults to false.")
  boolean http2;

  @Option(names = "--tls",
      description = "Serve HTTPS (HTTP/2 or HTTP/1.1 by ALPN) with a certificate for localhost and the bound host, "
          + "signed by a CA generated at start; see --ca-out. Defaults to false.")
  boolean tls;

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "Serve HTTPS with this PEM file instead: the server certificate first, any intermediates and "
          + "the CA, and its PKCS #8 private key. Implies --tls. Defaults to a generated certificate.")
  java.nio.file.Path tlsCert;

  @Option(names = "--ca-out", paramLabel = "FILE",
      description = "With TLS, write the CA certificate (PEM) a client must trust to FILE. Defaults to none.")
  java.nio.file.Path caOut;

  @Option(names = "--max-concurrent-streams", paramLabel = "N",
      description = "HTTP/2 streams a client may open at once per connection, as real servers cap it (nginx 128); "
          + "0 = no limit. Needs --engine netty. Defaults to ${DEFAULT-VALUE}.")
  long maxConcurrentStreams = MockBackend.DEFAULT_MAX_CONCURRENT_STREAMS;

  @Option(names = "--refuse-streams", paramLabel = "N",
      description = "Refuse the first N HTTP/2 streams (RST_STREAM REFUSED_STREAM, unprocessed), as a server at its "
          + "stream limit does. Needs --engine netty. Defaults to ${DEFAULT-VALUE}.")
  long refusedStreams = MockBackend.DEFAULT_REFUSED_STREAMS;

  @Option(names = "--goaway-after", paramLabel = "N",
      description = "Each HTTP/2 connection processes N streams, then sends GOAWAY, as nginx does after "
          + "keepalive_requests or on a reload; 0 = never. Needs --engine netty. Defaults to ${DEFAULT-VALUE}.")
  int goAwayAfterStreams = MockBackend.DEFAULT_GOAWAY_AFTER_STREAMS;

  @Option(names = "--engine", paramLabel = "ENGINE", converter = EngineConverter.class,
      description = "Server engine: mockwebserver (a thread per connection) or netty (event loops, for tens of "
          + "thousands of concurrent requests). Defaults to ${DEFAULT-VALUE}.")
  Engine engine = MockBackend.DEFAULT_ENGINE;

  @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Close a keep-alive connection idle this long after its last response, as real servers do "
          + "(Node.js 5s, nginx 75s), e.g. 5s, 500ms; 0 = never. Defaults to 0 (never).")
  Duration idleTimeout = MockBackend.DEFAULT_IDLE_TIMEOUT;

  @Option(names = "--max-body-bytes", paramLabel = "N", description = "Largest request body accepted; larger get 413. Defaults to ${DEFAULT-VALUE}.")
  long maxBodyBytes = MockBackend.DEFAULT_MAX_BODY_BYTES;

  @Option(names = "--batch-completion-time", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long after its creation a batch (POST /v1/batches) completes, e.g. 5s. Defaults to 10s.")
  Duration batchCompletionTime = MockBackend.DEFAULT_BATCH_COMPLETION_TIME;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile MockBackend started;

  public static void main(String[] args) {
    int code = commandLine(new MockServerMain()).execute(args);
    System.exit(code);
  }

  /** The configured picocli command line: bad flags print one line and the usage, exit 2. */
  public static CommandLine commandLine(MockServerMain command) {
    CommandLine cli = new CommandLine(command);
    cli.setParameterExceptionHandler((ex, args) -> {
      CommandLine c = ex.getCommandLine();
      PrintWriter err = c.getErr();
      err.println("error: " + ex.getMessage());
      c.usage(err, c.getColorScheme());
      err.flush();
      return EXIT_USAGE;
    });
    cli.setExecutionExceptionHandler((ex, c, parseResult) -> {
      c.getErr().println("error: " + ex.getMessage());
      c.getErr().flush();
      return EXIT_CANNOT_START;
    });
    return cli;
  }

  /** Builds the backend's profile from the flags; throws IllegalArgumentException for bad values. */
  Latency latencyProfile() {
    Latency.Builder b = Latency.builder().delay(latency).jitter(jitter).seed(seed).perTokenDelay(perTokenDelay);
    if (timeToFirstToken != null) b.timeToFirstToken(timeToFirstToken);
    b.tail(tail.share(), tail.delay());
    return b.build();
  }

  Faults faultProfile() {
    return Faults.builder()
        .seed(seed)
        .errorRate(errorRate)
        .disconnectBeforeBodyRate(disconnectBeforeBodyRate)
        .disconnectDuringBodyRate(disconnectDuringBodyRate)
        .stallRate(stallRate)
        .malformedJsonRate(malformedJsonRate)
        .rateLimit(rateLimit, rateLimitBurst)
        .chatTokensPerMinute(chatTokensPerMinute)
        .requestsPerMinute(rpm)
        .tokensPerMinute(tpm)
        .meterDepth(meterDepth)
        .maxTokensEstimate(maxTokensEstimate)
        .build();
  }

  @Override
  public Integer call() throws Exception {
    Latency l;
    Faults f;
    try {
      l = latencyProfile();
      f = faultProfile();
      MockBackend.builder().port(port).host(host).maxBodyBytes(maxBodyBytes).idleTimeout(idleTimeout)
          .maxConcurrentStreams(maxConcurrentStreams).refusedStreams(refusedStreams)
          .goAwayAfterStreams(goAwayAfterStreams); // validates
      if (caOut != null && !tls && tlsCert == null) throw new IllegalArgumentException("--ca-out needs --tls");
      if (maxConcurrentStreams > 0 && engine != Engine.NETTY) {
        throw new IllegalArgumentException("--max-concurrent-streams needs --engine netty");
      }
      if ((refusedStreams > 0 || goAwayAfterStreams > 0) && engine != Engine.NETTY) {
        throw new IllegalArgumentException("--refuse-streams and --goaway-after need --engine netty");
      }
      if (http2 && (tls || tlsCert != null)) {
        throw new IllegalArgumentException("--http2 is h2c (cleartext); with --tls HTTP/2 is chosen by ALPN");
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (!isLoopback(host)) {
      System.err.println("warning: binding " + host + " exposes this mock server beyond this machine");
    }
    MockBackend.Builder builder = MockBackend.builder()
        .latency(l).faults(f).host(host).port(port).http2PriorKnowledge(http2).maxBodyBytes(maxBodyBytes)
        .batchCompletionTime(batchCompletionTime)
        .engine(engine).idleTimeout(idleTimeout).maxConcurrentStreams(maxConcurrentStreams).recordedRequests(0)
        .refusedStreams(refusedStreams).goAwayAfterStreams(goAwayAfterStreams);
    if (tlsCert != null) {
      MockTls given;
      try {
        given = MockTls.fromPemFile(tlsCert);
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert " + tlsCert + ": " + e.getMessage());
      }
      builder.tls(given);
    } else {
      builder.tls(tls);
    }
    MockBackend backend = builder.start();
    if (caOut != null) backend.tlsCertificates().writeCaCertificate(caOut);
    started = backend;
    Thread hook = new Thread(() -> {
      stop.countDown();
      backend.close();
    }, "fanout-mock-server-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.println("Listening on " + backend.url());
    System.out.flush();
    System.err.println("latency " + l + ", faults " + f + (http2 ? ", h2c" : "")
        + (backend.tls() ? ", TLS (h2, http/1.1)" + (caOut != null ? ", CA in " + caOut : "") : "")
        + (maxConcurrentStreams > 0 ? ", " + maxConcurrentStreams + " streams per connection" : "")
        + (refusedStreams > 0 ? ", the first " + refusedStreams + " streams refused" : "")
        + (goAwayAfterStreams > 0 ? ", GOAWAY after " + goAwayAfterStreams + " streams per connection" : "")
        + ", engine " + engine + (idleTimeout.isZero() ? "" : ", idle timeout " + Durations.format(idleTimeout))
        + "; stats at " + backend.url() + "/__admin/stats; Ctrl-C to stop");
    stop.await();
    return 0;
  }

  /** Stops a server started by {@link #call()} (for tests that run it in-process). */
  void shutdown() {
    stop.countDown();
    MockBackend b = started;
    if (b != null) b.close();
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Converts {@code mockwebserver} or {@code netty} to an {@link Engine}. */
  static final class EngineConverter extends ParsingConverter<Engine> {
    EngineConverter() {
      super(Engine::of);
    }
  }

  /** Converts {@code none}, {@code uniform:100ms}, {@code normal:50ms}, {@code lognormal:0.5}. */
  static final class JitterConverter extends ParsingConverter<Jitter> {
    JitterConverter() {
      super(Jitter::parse);
    }
  }
}
