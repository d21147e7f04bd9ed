package dev.fanout.samples.cli;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Stats;
import dev.fanout.samples.report.RunReport;
import dev.fanout.samples.report.Timeline;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Where a sample's calls go: the API at {@code --base-url}, or else an embedded {@link MockBackend} started on
 * a free loopback port with {@code --latency}; and the one {@link FanoutClient} every call of the run shares.
 *
 * <p>When an {@code OTEL_*} variable (or {@code otel.*} property) is set, the client reports its traces and
 * metrics to the OpenTelemetry {@link Telemetry#fromEnvironment()} builds from them.
 *
 * <p>This session owns all three and closes them in {@link #close()}, the client first, then the telemetry
 * (flushing its spans), then the backend.
 */
public final class Session implements AutoCloseable {
  /** The key sent to the embedded mock's Messages API when none is given (it checks one is present, not which). */
  static final String EMBEDDED_ANTHROPIC_KEY = "sk-ant-embedded-mock";

  private final CommonOptions options;
  private final MockBackend backend;
  private final String baseUrl;
  private final FanoutClient client;
  private final Telemetry telemetry;

  private Session(
      CommonOptions options, MockBackend backend, String baseUrl, FanoutClient client, Telemetry telemetry) {
    this.options = options;
    this.backend = backend;
    this.baseUrl = baseUrl;
    this.client = client;
    this.telemetry = telemetry;
  }

  /**
   * Opens a session as {@code options} say. {@code client} may adjust the client (retries, bound) before it is
   * built; {@code faults} are injected by the embedded backend only (tests use them).
   */
  public static Session open(CommonOptions options, Faults faults, UnaryOperator<FanoutClient.Builder> client) {
    return open(options, Latency.fixed(options.latency()), faults, client);
  }

  /** As {@link #open(CommonOptions, Faults, UnaryOperator)}, with the embedded backend's whole latency profile. */
  public static Session open(
      CommonOptions options, Latency latency, Faults faults, UnaryOperator<FanoutClient.Builder> client) {
    options.validate();
    MockBackend backend = null;
    String baseUrl = options.baseUrl();
    if (baseUrl == null) {
      backend = MockBackend.builder()
          .latency(latency)
          .faults(faults)
          .start();
      baseUrl = String.valueOf(backend.url());
    }
    Telemetry telemetry = null;
    try {
      telemetry = Telemetry.fromEnvironment();
      String key = options.apiKey();
      if (key == null && backend != null && options.provider() == Provider.ANTHROPIC) {
        key = EMBEDDED_ANTHROPIC_KEY; // the mock's /v1/messages, like Anthropic's, refuses a call without x-api-key
      }
      FanoutClient.Builder b = FanoutClient.builder().baseUrl(baseUrl).apiKey(key)
          .openTelemetry(telemetry.openTelemetry().orElse(null));
      if (options.caCert() != null) {
        b.trustedCertificates(options.caCert());
      }
      FanoutClient built = client.apply(b).build();
      return new Session(options, backend, baseUrl, built, telemetry);
    } catch (RuntimeException e) {
      if (telemetry != null) {
        telemetry.close();
      }
      if (backend != null) {
        backend.close();
      }
      throw e;
    }
  }

  /** Opens a session with the client's defaults and no injected faults. */
  public static Session open(CommonOptions options) {
    return open(options, Faults.none(), b -> b);
  }

  public FanoutClient client() {
    return client;
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** Returns true if the calls go to the embedded mock server. */
  public boolean embedded() {
    return backend != null;
  }

  /** Returns the embedded backend's counters; throws if the calls go to {@code --base-url}. */
  public Stats stats() {
    if (backend == null) {
      throw new IllegalStateException("no embedded backend: calls go to " + baseUrl);
    }
    return backend.stats();
  }

  /**
   * Zeroes the embedded server's counters (no-op with {@code --base-url}), so that {@link #serverStats()}
   * covers what runs next.
   */
  public void resetStats() {
    if (backend != null) {
      backend.reset();
    }
  }

  /**
   * Returns what the embedded server counted since {@link #resetStats()}: requests (retries included) and the
   * most in flight at once; {@code null} with {@code --base-url}.
   */
  public RunReport.Server serverStats() {
    if (backend == null) {
      return null;
    }
    Stats stats = backend.stats();
    return new RunReport.Server(stats.totalRequests(), stats.maxInFlight(), stats.aborted());
  }

  /**
   * As {@link #serverStats()}, after waiting up to {@code timeout} for the embedded server to finish what is in
   * flight (a cancelled request is counted aborted only once the server notices the client went away).
   */
  public RunReport.Server serverStatsWhenIdle(java.time.Duration timeout) {
    if (backend == null) {
      return null;
    }
    try {
      Stats stats = backend.awaitIdle(timeout);
      return new RunReport.Server(stats.totalRequests(), stats.maxInFlight(), stats.aborted());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return serverStats();
    }
  }

  public String model() {
    return options.model();
  }

  /** Returns the model API the sample's model calls go to ({@code --provider}). */
  public Provider provider() {
    return options.provider();
  }

  /** Prints one line saying where the calls go. */
  public void printTarget(PrintWriter out) {
    if (embedded()) {
      out.printf("Embedded mock server at %s, %s latency per response (use --base-url for your own API)%n",
          baseUrl, DurationConverter.format(options.latency()));
    } else {
      out.printf("Calling %s%n", baseUrl);
    }
  }

  /** Builds the run's report and writes it (and the timeline) where the flags say; returns it. */
  public RunReport finish(String command, List<RunReport.Mode> modes, PrintWriter out) {
    RunReport report = RunReport.of(
        command, baseUrl, embedded(), embedded() ? options.latency().toMillis() : null, modes);
    if (options.reportJson() != null) {
      report.writeTo(options.reportJson());
      out.println("Report written to " + options.reportJson());
    }
    if (options.timeline() != null) {
      Timeline.write(report, options.timeline());
      out.println("Timeline written to " + options.timeline() + " (open it in a browser)");
    }
    return report;
  }

  /** Returns a retry policy of {@code retries} retries after the first attempt (0: none). */
  public static RetryPolicy retries(int retries) {
    return retries == 0 ? RetryPolicy.none() : RetryPolicy.builder().maxAttempts(retries + 1).build();
  }

  @Override
  public void close() {
    try {
      client.close();
    } finally {
      try {
        telemetry.close();
      } finally {
        if (backend != null) {
          backend.close();
        }
      }
    }
  }
}
