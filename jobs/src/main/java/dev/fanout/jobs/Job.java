package dev.fanout.jobs;

import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.jobs.internal.StreamPump;
import dev.fanout.jobs.internal.Ceiling;
import dev.fanout.jobs.internal.Pump;
import dev.fanout.json.JsonResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file of requests run in real time through a {@link FanoutClient}: every line of the input sent once
 * (governed by the client's rate-limit governor and retried by its retry policy), every result written to
 * the output as it completes, in OpenAI's Batch API formats.
 *
 * <pre>{@code
 * try (FanoutClient client = FanoutClient.builder().baseUrl("https://api.openai.com").apiKey(key).build()) {
 *   JobSummary summary = Job.builder()
 *       .input(JobInput.of(Path.of("requests.jsonl")))
 *       .output(Path.of("results.jsonl"))
 *       .build()
 *       .run(client);
 * }
 * }</pre>
 *
 * <h2>Each request's path is under the client's base URL.</h2>
 * A line's {@code url} ({@code /v1/chat/completions}) is resolved under the base URL; if the base URL
 * already ends in {@code /v1}, the line's leading {@code /v1} is dropped, so {@code https://api.openai.com}
 * and {@code https://api.openai.com/v1} both work.
 *
 * <h2>Resuming.</h2>
 * Requests whose {@code custom_id} the output already holds are skipped, so running the same job again
 * after a crash or a {@link #stop()} sends only the rest; the output then has each {@code custom_id} exactly
 * once. Failed results are results: a rerun does not send them again (delete their lines to retry them).
 *
 * <h2>A misconfigured run stops at its first request that says so.</h2>
 * A request that fails because the connection to the server cannot be set up (refused, unknown host,
 * untrusted certificate) or because the server refuses the API key (HTTP 401) is not a result of its line:
 * every line would fail the same way. The job then sends nothing more, writes the results already answered
 * (the requests in flight get the grace period), writes none for the requests that failed that way, and
 * {@link #run(FanoutClient)} throws a {@link JobConfigurationException} naming the cause; a rerun sends every
 * request not written. Other failures (400, 403, 404, a 429 or 5xx the retries gave up on, a timeout, a
 * connection reset) are results of their line. {@link Builder#stopOnConfigurationError(boolean)} turns this off.
 *
 * <h2>Stopping.</h2>
 * {@link #stop()} (from another thread, such as a shutdown hook) stops reading; the requests in flight get
 * the grace period to complete and be written, the rest are cancelled (nothing more is sent) and left for the
 * next run. {@link #run(FanoutClient)} then returns a summary with {@code stopped} set, unless nothing was left:
 * the whole input read and every request read written.
 *
 * <p>A job runs once; build another to run again.
 */
public final class Job {
  private static final Logger log = LoggerFactory.getLogger(Job.class);

  /** Time the requests in flight get to complete after {@link #stop()}. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(30);
  /** How often {@link JobListener#onProgress(JobProgress)} is called. */
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(1);
  /** The requests in flight at once: 0, the client's {@code maxInFlight}. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 0;
  /** Whether a connection that cannot be set up, or an HTTP 401, stops the job: yes. */
  public static final boolean DEFAULT_STOP_ON_CONFIGURATION_ERROR = true;

  private final JobInput input;
  private final Path outputPath;
  private final ResultSink sink;
  private final JobListener listener;
  private final Duration gracePeriod;
  private final Duration progressInterval;
  private final long maxRequestsPerMinute;
  private final long maxTokensPerMinute;
  private final int maxInFlight;
  private final boolean stopOnConfigurationError;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private volatile Pump<JobRequest, JobResult> pump;
  private final CompletableFuture<JobSummary> finished = new CompletableFuture<>();

  private Job(Builder b) {
    this.input = b.input;
    this.outputPath = b.outputPath;
    this.sink = b.sink;
    this.listener = b.listener;
    this.gracePeriod = b.gracePeriod;
    this.progressInterval = b.progressInterval;
    this.maxRequestsPerMinute = b.maxRequestsPerMinute;
    this.maxTokensPerMinute = b.maxTokensPerMinute;
    this.maxInFlight = b.maxInFlight;
    this.stopOnConfigurationError = b.stopOnConfigurationError;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the job to the end of its input, or until {@link #stop()}: checks a file input whole first (nothing
   * is sent if a line is bad), opens the output, sends the requests the output lacks and writes each result
   * as it completes.
   *
   * @throws InvalidInputException naming the first bad line (for a single-pass input, after the requests
   *     already sent completed and were written)
   * @throws JobConfigurationException if a request failed because the run is misconfigured (no connection to
   *     the server, or HTTP 401), after the requests already answered were written
   * @throws IllegalStateException if the job ran already
   * @throws InterruptedException if the calling thread is interrupted (the job stops as for {@link #stop()})
   */
  public JobSummary run(FanoutClient client) throws InterruptedException {
    Objects.requireNonNull(client, "client == null");
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("a job runs once; build another");
    }
    try {
      JobSummary summary = runOnce(client);
      finished.complete(summary);
      return summary;
    } catch (Throwable e) {
      finished.completeExceptionally(e);
      throw e;
    }
  }

  /**
   * Stops the job: reads no more, gives the requests in flight the grace period, and returns once
   * {@link #run(FanoutClient)} has returned (or {@code timeout} passed). Safe from any thread, any number of
   * times; before the job starts, it makes the job send nothing.
   *
   * @return whether the run had finished within {@code timeout}
   */
  public boolean stop(Duration timeout) throws InterruptedException {
    stopRequested.set(true);
    Pump<JobRequest, JobResult> p = pump;
    if (p != null) {
      p.stop(gracePeriod);
    }
    if (!started.get()) {
      return true;
    }
    try {
      finished.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  /** Stops the job without waiting: see {@link #stop(Duration)}. */
  public void stop() {
    stopRequested.set(true);
    Pump<JobRequest, JobResult> p = pump;
    if (p != null) {
      p.stop(gracePeriod);
    }
  }

  private JobSummary runOnce(FanoutClient client) throws InterruptedException {
    OptionalLong total = OptionalLong.empty();
    if (input.checkable()) {
      total = OptionalLong.of(input.check());
    }
    ResultFile opened = outputPath == null ? null : ResultFile.open(outputPath);
    ResultSink out = opened != null ? opened : sink;
    JobRun run = new JobRun(client, total, listener, gracePeriod);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fanout-job-progress");
      t.setDaemon(true);
      return t;
    });
    try (JobInput.Requests requests = input.open()) {
      Pump<JobRequest, JobResult> p = new StreamPump<>(maxInFlight == 0 ? client.maxInFlight() : maxInFlight);
      pump = p;
      if (stopRequested.get()) {
        p.stop(gracePeriod);
      }
      run.pump = p;
      long interval = progressInterval.toNanos();
      ticker.scheduleAtFixedRate(() -> safely(run::tick), interval, interval, TimeUnit.NANOSECONDS);
      Ceiling ceiling = new Ceiling(maxRequestsPerMinute, maxTokensPerMinute);
      Iterator<JobRequest> todo = skipping(requests, out, run);
      try {
        p.run(todo, r -> awaitCeiling(ceiling, r, p), r -> send(client, r, run),
            (r, result) -> {
              out.write(result);
              run.record(result);
              safely(() -> listener.onResult(result));
            });
      } catch (InterruptedException e) {
        p.stop(gracePeriod);
        Thread.currentThread().interrupt();
        throw e;
      }
      ticker.shutdownNow();
      run.tick();
      JobSummary summary = run.summary(p.stopped());
      RuntimeException misconfigured = run.misconfigured.get();
      if (misconfigured != null) {
        throw new JobConfigurationException(misconfigured, client.baseUrl().host() + ":" + client.baseUrl().port(),
            summary, run.notWritten.get());
      }
      return summary;
    } finally {
      ticker.shutdownNow();
      if (opened != null) {
        opened.close();
      }
    }
  }

  private void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      log.warn("job listener failed: {}", e.toString());
    }
  }

  private static void awaitCeiling(Ceiling ceiling, JobRequest r, Pump<?, ?> p) {
    if (ceiling.unlimited()) {
      return;
    }
    long deadline = System.nanoTime() + ceiling.reserve(System.nanoTime(), Ceiling.estimateTokens(r.body()));
    long left;
    while ((left = deadline - System.nanoTime()) > 0 && !p.stopped()) {
      LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
    }
  }

  private CompletableFuture<JobResult> send(FanoutClient client, JobRequest r, JobRun run) {
    if (run.misconfigured.get() != null) {
      // pulled before the stop took effect: not sent, not written; the rerun sends it
      return CompletableFuture.failedFuture(new java.util.concurrent.CancellationException("the job stopped"));
    }
    CompletableFuture<JsonResponse> call;
    try {
      call = client.json().callAsync(r.method(), path(client, r.url()), r.body(), JsonResponse.class);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(JobResult.failed(r.customId(), "request_error", e.getMessage()));
    }
    CompletableFuture<JobResult> result = call.handle((response, error) -> {
      if (error == null) {
        run.observe(response);
        return JobResult.answered(r.customId(), response.statusCode(), response.header("x-request-id").orElse(""),
            response.body());
      }
      Throwable e = Fanout.unwrap(error);
      if (stopOnConfigurationError && JobConfigurationException.isConfigurationError(e)) {
        run.misconfigured((RuntimeException) e);
        throw new java.util.concurrent.CancellationException("not written: the run is misconfigured");
      }
      return JobResult.of(r.customId(), e);
    });
    result.whenComplete((x, e) -> {
      if (result.isCancelled()) {
        call.cancel(true);
      }
    });
    return result;
  }

  /**
   * {@code url} (a line's {@code /v1/...}) as a path relative to the client's base URL, without a second
   * {@code /v1}: under {@code https://api.openai.com/} it is {@code v1/chat/completions}, under
   * {@code https://api.openai.com/v1/} it is {@code chat/completions}.
   */
  static String path(FanoutClient client, String url) {
    String base = client.baseUrl().encodedPath();
    boolean baseHasV1 = base.endsWith("/v1") || base.endsWith("/v1/");
    String relative = url;
    if (baseHasV1 && (url.startsWith("/v1/") || url.equals("/v1"))) {
      relative = url.substring(3);
    }
    while (relative.startsWith("/")) {
      relative = relative.substring(1);
    }
    return relative;
  }

  /**
   * The requests the sink does not hold yet, pulled one at a time; counts the others as skipped, and notes
   * when the input has ended.
   */
  private static Iterator<JobRequest> skipping(Iterator<JobRequest> requests, ResultSink sink, JobRun run) {
    return new Iterator<>() {
      private JobRequest next;

      @Override
      public boolean hasNext() {
        while (next == null) {
          if (!requests.hasNext()) {
            run.inputEnded = true;
            return false;
          }
          JobRequest r = requests.next();
          run.read.incrementAndGet();
          if (sink.contains(r.customId())) {
            run.skipped.incrementAndGet();
          } else {
            next = r;
          }
        }
        return true;
      }

      @Override
      public JobRequest next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        JobRequest r = next;
        next = null;
        return r;
      }
    };
  }

  /** Builds a {@link Job}; each setter validates its argument and names a bad value. */
  public static final class Builder {
    private JobInput input;
    private Path outputPath;
    private ResultSink sink;
    private JobListener listener = new JobListener() {};
    private Duration gracePeriod = DEFAULT_GRACE_PERIOD;
    private Duration progressInterval = DEFAULT_PROGRESS_INTERVAL;
    private long maxRequestsPerMinute;
    private long maxTokensPerMinute;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private boolean stopOnConfigurationError = DEFAULT_STOP_ON_CONFIGURATION_ERROR;

    private Builder() {}

    /** Sets the requests. Required. */
    public Builder input(JobInput input) {
      this.input = Objects.requireNonNull(input, "input == null");
      return this;
    }

    /**
     * Sets the output file, opened with {@link ResultFile#open(Path)} when the job runs (resuming what it
     * holds) and closed when it ends. This or {@link #output(ResultSink)} is required.
     */
    public Builder output(Path output) {
      this.outputPath = Objects.requireNonNull(output, "output == null");
      this.sink = null;
      return this;
    }

    /** Sets a sink of your own for the results (the caller opens and closes it). */
    public Builder output(ResultSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink == null");
      this.outputPath = null;
      return this;
    }

    /** Sets the listener of progress and results. Defaults to none. */
    public Builder listener(JobListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /** Sets the time the requests in flight get to complete after a stop. Defaults to 30 s. */
    public Builder gracePeriod(Duration gracePeriod) {
      Objects.requireNonNull(gracePeriod, "gracePeriod == null");
      if (gracePeriod.isNegative()) {
        throw new IllegalArgumentException("gracePeriod < 0: " + gracePeriod);
      }
      this.gracePeriod = gracePeriod;
      return this;
    }

    /** Sets how often the listener hears the progress. Defaults to 1 s. */
    public Builder progressInterval(Duration progressInterval) {
      Objects.requireNonNull(progressInterval, "progressInterval == null");
      if (progressInterval.isNegative() || progressInterval.isZero()) {
        throw new IllegalArgumentException("progressInterval <= 0: " + progressInterval);
      }
      this.progressInterval = progressInterval;
      return this;
    }

    /**
     * Sets a ceiling on requests sent per minute, below what the provider publishes (the client's governor
     * paces to that by itself): for a key shared with other work. 0 for none. Defaults to 0.
     */
    public Builder maxRequestsPerMinute(long maxRequestsPerMinute) {
      if (maxRequestsPerMinute < 0) {
        throw new IllegalArgumentException("maxRequestsPerMinute < 0: " + maxRequestsPerMinute);
      }
      this.maxRequestsPerMinute = maxRequestsPerMinute;
      return this;
    }

    /**
     * Sets a ceiling on tokens per minute (each request's text over 4 characters a token plus its
     * {@code max_tokens}), below what the provider publishes. 0 for none. Defaults to 0.
     */
    public Builder maxTokensPerMinute(long maxTokensPerMinute) {
      if (maxTokensPerMinute < 0) {
        throw new IllegalArgumentException("maxTokensPerMinute < 0: " + maxTokensPerMinute);
      }
      this.maxTokensPerMinute = maxTokensPerMinute;
      return this;
    }

    /**
     * Sets the most requests in flight at once; 0 for the client's {@code maxInFlight}. The governor admits
     * fewer when the provider's limits say so. Defaults to 0.
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 0) {
        throw new IllegalArgumentException("maxInFlight < 0: " + maxInFlight);
      }
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * Sets whether a request that fails because the run is misconfigured stops the job: a connection that
     * cannot be set up (refused, unknown host, untrusted certificate) or an HTTP 401. When it does, no result
     * is written for the requests that failed that way, nothing more is sent, and {@link Job#run} throws a
     * {@link JobConfigurationException} once the requests in flight are written; when it does not, each such
     * failure is written as its line's result, like any other. Defaults to true.
     */
    public Builder stopOnConfigurationError(boolean stopOnConfigurationError) {
      this.stopOnConfigurationError = stopOnConfigurationError;
      return this;
    }

    public Job build() {
      if (input == null) {
        throw new IllegalStateException("input == null: set the requests with input(JobInput)");
      }
      if (outputPath == null && sink == null) {
        throw new IllegalStateException("output == null: set output(Path) or output(ResultSink)");
      }
      return new Job(this);
    }
  }
}
