package dev.fanout.jobs;

import dev.fanout.FanoutClient;
import dev.fanout.common.Quotas;
import dev.fanout.jobs.internal.Pump;
import dev.fanout.json.JsonResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's counters, progress and summary: what {@link Job#run} read, skipped, wrote and was told by the
 * server, and the first error that says the run is misconfigured (which stops its pump).
 */
final class JobRun {
  /** Progress ticks the rate is averaged over. */
  private static final int RATE_WINDOW_TICKS = 10;
  private static final Logger log = LoggerFactory.getLogger(Job.class);

  final FanoutClient client;
  final OptionalLong total;
  final long startNanos = System.nanoTime();
  final long attemptsAtStart;
  final long tooManyAtStart;
  final AtomicLong read = new AtomicLong();
  final AtomicLong skipped = new AtomicLong();
  final AtomicLong ok = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong inputTokens = new AtomicLong();
  final AtomicLong outputTokens = new AtomicLong();
  final AtomicLong notWritten = new AtomicLong();
  final AtomicReference<JobResult> firstFailure = new AtomicReference<>();
  final AtomicReference<RuntimeException> misconfigured = new AtomicReference<>();
  volatile boolean inputEnded;
  final AtomicLong limitRequests = new AtomicLong(-1);
  final AtomicLong limitTokens = new AtomicLong(-1);
  final ArrayDeque<long[]> window = new ArrayDeque<>();
  volatile long lastResultNanos = System.nanoTime();
  volatile Pump<JobRequest, JobResult> pump;
  private final JobListener listener;
  private final Duration gracePeriod;

  JobRun(FanoutClient client, OptionalLong total, JobListener listener, Duration gracePeriod) {
    this.client = client;
    this.total = total;
    this.listener = listener;
    this.gracePeriod = gracePeriod;
    this.attemptsAtStart = client.stats().attemptsStarted();
    this.tooManyAtStart = client.stats().tooManyRequests();
  }

  void observe(JsonResponse response) {
    response.header("x-ratelimit-limit-requests").map(JobRun::parseLong).ifPresent(limitRequests::set);
    response.header("x-ratelimit-limit-tokens").map(JobRun::parseLong).ifPresent(limitTokens::set);
  }

  /** A request failed because the run is misconfigured: the first one stops the pump; none is written. */
  void misconfigured(RuntimeException error) {
    notWritten.incrementAndGet();
    if (misconfigured.compareAndSet(null, error)) {
      log.debug("stopping the job, the run is misconfigured: {}", error.getMessage());
      Pump<JobRequest, JobResult> p = pump;
      if (p != null) {
        p.stop(gracePeriod);
      }
    }
  }

  void record(JobResult result) {
    if (result.ok()) {
      ok.incrementAndGet();
    } else {
      failed.incrementAndGet();
      firstFailure.compareAndSet(null, result);
    }
    result.inputTokens().ifPresent(inputTokens::addAndGet);
    result.outputTokens().ifPresent(outputTokens::addAndGet);
    lastResultNanos = System.nanoTime();
  }

  synchronized void tick() {
    listener.onProgress(progress());
  }

  synchronized JobProgress progress() {
    long now = System.nanoTime();
    long done = ok.get() + failed.get();
    window.addLast(new long[] {now, done});
    while (window.size() > RATE_WINDOW_TICKS + 1) {
      window.removeFirst();
    }
    long[] first = window.peekFirst();
    double perSecond = now > first[0] ? (done - first[1]) * 1e9 / (now - first[0]) : 0;
    if (window.size() == 1) {
      perSecond = now > startNanos ? done * 1e9 / (now - startNanos) : 0;
    }
    Optional<Duration> eta = Optional.empty();
    if (total.isPresent() && perSecond > 0) {
      long left = Math.max(0, total.getAsLong() - skipped.get() - done);
      eta = Optional.of(Duration.ofNanos((long) (left / perSecond * 1e9)));
    }
    Pump<JobRequest, JobResult> p = pump;
    return new JobProgress(total, skipped.get(), ok.get(), failed.get(), p == null ? 0 : p.inFlight(),
        client.stats().tooManyRequests() - tooManyAtStart, inputTokens.get(), outputTokens.get(),
        Duration.ofNanos(now - startNanos), perSecond, eta);
  }

  /** Whether the whole input was read and every request read that the output lacked was written. */
  boolean nothingLeft() {
    boolean ended = inputEnded || (total.isPresent() && read.get() == total.getAsLong());
    return ended && ok.get() + failed.get() == read.get() - skipped.get();
  }

  JobSummary summary(boolean stopped) {
    long sent = ok.get() + failed.get();
    Duration wall = Duration.ofNanos(Math.max(0, lastResultNanos - startNanos));
    OptionalLong rpm = limitRequests.get() > 0 ? OptionalLong.of(limitRequests.get()) : OptionalLong.empty();
    OptionalLong tpm = limitTokens.get() > 0 ? OptionalLong.of(limitTokens.get()) : OptionalLong.empty();
    Optional<Duration> minimum = Optional.empty();
    if ((rpm.isPresent() || tpm.isPresent()) && sent > 0) {
      double tokensPerCall = ok.get() == 0 ? 0 : (double) (inputTokens.get() + outputTokens.get()) / ok.get();
      double seconds = Quotas.minimumSeconds(sent, tokensPerCall, rpm.orElse(0), tpm.orElse(0));
      if (seconds > 0) {
        minimum = Optional.of(Duration.ofNanos((long) (seconds * 1e9)));
      }
    }
    long totalCount = total.orElse(read.get());
    return new JobSummary(totalCount, skipped.get(), ok.get(), failed.get(),
        client.stats().tooManyRequests() - tooManyAtStart, client.stats().attemptsStarted() - attemptsAtStart,
        inputTokens.get(), outputTokens.get(), wall, rpm, tpm, minimum, stopped && !nothingLeft(),
        Optional.ofNullable(firstFailure.get()));
  }

  private static Long parseLong(String s) {
    try {
      return Long.parseLong(s.strip());
    } catch (NumberFormatException e) {
      return -1L;
    }
  }
}
