package dev.fanout.internal.governor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.GovernorPolicy;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every state transition of the governor, on a fake clock against simulated metered servers. */
@Timeout(20)
class RateLimitGovernorTest {
  private static final GovernorKey KEY = new GovernorKey("api.example.com", "gpt-4o-mini");
  private static final long SECOND = 1_000_000_000L;

  private final FakeClock clock = FakeClock.create();

  private Governor governor(GovernorPolicy policy, int maxInFlight) {
    return Governor.create(policy, maxInFlight, clock, () -> 0.0);
  }

  @Test
  void pacingSpreadsRequestsEvenlyOverTheResetWindow() {
    // 10 requests per 10 s fixed window (IETF fields); 30 calls at once.
    SimulatedServer.FixedWindow server = new SimulatedServer.FixedWindow(clock, 10, Duration.ofSeconds(10));
    Driver d = new Driver(clock, governor(GovernorPolicy.defaults(), 256), server, KEY, Duration.ZERO);
    d.submit(1, 0); // before the first response the governor knows no limit (it admits its initial concurrency)
    clock.runDueTasks();
    d.submit(29, 0);
    d.runUntilDone(30, Duration.ofMillis(10), Duration.ofSeconds(60));

    assertThat(d.done).isEqualTo(30);
    assertThat(server.rejected).as("429s").isZero();
    // Three windows; the IETF t is whole seconds, rounded up, which may cost up to a second per window.
    assertThat(d.lastDone).isLessThan(33 * SECOND);
    // Spread, not burst-then-stall: in every window no 2 s stretch holds more than 3 admissions.
    for (long from = 0; from < 28 * SECOND; from += SECOND / 10) {
      long f = from;
      long inSpan = d.admittedAt.stream().filter(t -> t >= f && t < f + 2 * SECOND).count();
      assertThat(inSpan).as("admissions in [%s s, +2 s)", from / 1e9).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void requestBoundLimitIsMetWithoutOverdrawing() {
    // OpenAI-style 60 RPM (a bucket of 60, refilling 1/s); 120 calls of 0.5 s: the quota admits them in 60 s.
    SimulatedServer.OpenAiLike server = new SimulatedServer.OpenAiLike(clock, 60, 1_000_000);
    Governor g = governor(GovernorPolicy.defaults(), 1000);
    Driver d = new Driver(clock, g, server, KEY, Duration.ofMillis(500));
    d.submit(120, 10);
    d.runUntilDone(120, Duration.ofMillis(10), Duration.ofSeconds(200));

    assertThat(d.done).isEqualTo(120);
    assertThat((double) d.tooMany / d.responses).as("share of 429s").isLessThanOrEqualTo(0.02);
    double quotaMinimum = 60.0; // 60 from the full bucket at once, then 60 more at 1/s
    assertThat(d.seconds(d.lastDone)).isLessThanOrEqualTo(1.10 * quotaMinimum + 0.5);
    BucketStats stats = g.stats(KEY);
    assertThat(stats.limits()).anySatisfy(l -> assertThat(l.dimension()).isEqualTo(LimitDimension.REQUESTS));
  }

  /**
   * Issue 11's workload: 1,000 calls of 0.5 s against 6,000 RPM enforced one second deep (100 at once, then
   * 100 a second); the quota admits them in 9.5 s. The headers describe the bucket when each call was
   * admitted, half a second before its response arrives.
   */
  @Test
  void issue11sRequestBoundWorkloadFinishesNearTheQuotaMinimumWithFew429s() {
    SimulatedServer.OpenAiLike server = new SimulatedServer.OpenAiLike(clock, 6000, 100_000_000, Duration.ofSeconds(1));
    Governor g = governor(GovernorPolicy.defaults(), Integer.MAX_VALUE);
    Driver d = new Driver(clock, g, server, KEY, Duration.ofMillis(500));
    d.submit(1000, 10);
    d.runUntilDone(1000, Duration.ofMillis(5), Duration.ofSeconds(60));

    assertThat(d.done).isEqualTo(1000);
    assertThat((double) d.tooMany / d.responses).as("share of 429s (%d of %d)", d.tooMany, d.responses)
        .isLessThanOrEqualTo(0.02);
    assertThat(d.seconds(d.lastDone)).as("wall").isLessThanOrEqualTo(1.10 * 9.5);
  }

  @Test
  void issue11sTokenBoundWorkloadFinishesNearTheQuotaMinimumWithFew429s() {
    // 150,000 TPM one second deep (2,500 tokens at once, 2,500 a second), 25 tokens a call: 9.0 s + 0.5 s.
    SimulatedServer.OpenAiLike server = new SimulatedServer.OpenAiLike(clock, 1_000_000, 150_000, Duration.ofSeconds(1));
    Governor g = governor(GovernorPolicy.defaults(), Integer.MAX_VALUE);
    Driver d = new Driver(clock, g, server, KEY, Duration.ofMillis(500));
    d.submit(1000, 25);
    d.runUntilDone(1000, Duration.ofMillis(5), Duration.ofSeconds(60));

    assertThat(d.done).isEqualTo(1000);
    assertThat((double) d.tooMany / d.responses).as("share of 429s (%d of %d)", d.tooMany, d.responses)
        .isLessThanOrEqualTo(0.02);
    assertThat(d.seconds(d.lastDone)).as("wall").isLessThanOrEqualTo(1.10 * 9.5);
  }

  @Test
  void tokenBoundLimitAdmitsByTokensNotRequests() {
    // Plenty of requests (6,000 RPM) but 6,000 tokens per minute; each call estimated at 100 tokens.
    SimulatedServer.OpenAiLike server = new SimulatedServer.OpenAiLike(clock, 6000, 6000);
    Governor g = governor(GovernorPolicy.defaults(), 1000);
    Driver d = new Driver(clock, g, server, KEY, Duration.ofMillis(500));
    TokenEstimate each = TokenEstimate.chat(200, 50);
    assertThat(each.total()).isEqualTo(100);
    d.submit(120, each.total());
    d.runUntilDone(120, Duration.ofMillis(10), Duration.ofSeconds(200));

    assertThat(d.done).isEqualTo(120);
    assertThat((double) d.tooMany / d.responses).as("share of 429s").isLessThanOrEqualTo(0.02);
    double quotaMinimum = 60.0; // 60 calls from the full bucket, then 100 tokens/s = 1 call/s
    assertThat(d.seconds(d.lastDone)).isBetween(quotaMinimum - 1, 1.10 * quotaMinimum + 0.5);
  }

  @Test
  void sameCallsBoundByRequestsAreFasterThanByTokens() {
    // Control for the test above: with tokens unmetered the same batch finishes within a few seconds.
    SimulatedServer.OpenAiLike server = new SimulatedServer.OpenAiLike(clock, 6000, 10_000_000);
    Driver d = new Driver(clock, governor(GovernorPolicy.defaults(), 1000), server, KEY, Duration.ofMillis(500));
    d.submit(120, 100);
    d.runUntilDone(120, Duration.ofMillis(10), Duration.ofSeconds(200));
    assertThat(d.done).isEqualTo(120);
    assertThat(d.seconds(d.lastDone)).isLessThan(5);
  }

  @Test
  void twoProcessesSharingOneKeyConvergeOnTheServersRemaining() {
    SimulatedServer.OpenAiLike server = new SimulatedServer.OpenAiLike(clock, 60, 1_000_000);
    Driver a = new Driver(clock, governor(GovernorPolicy.defaults(), 1000), server, KEY, Duration.ofMillis(500));
    Driver b = new Driver(clock, governor(GovernorPolicy.defaults(), 1000), server, KEY, Duration.ofMillis(500));
    a.submit(250, 10);
    b.submit(250, 10);
    while ((a.done < 250 || b.done < 250) && clock.elapsed().compareTo(Duration.ofSeconds(1000)) < 0) {
      clock.advance(Duration.ofMillis(10));
    }
    assertThat(a.done + b.done).isEqualTo(500);
    double share = (double) (a.tooMany + b.tooMany) / (a.responses + b.responses);
    // Measured: 15 of 515 responses (2.9%) were 429s; the batch ended at 441.8 s against a 440 s minimum.
    assertThat(share).as("share of 429s").isLessThanOrEqualTo(0.05);
    double quotaMinimum = 500 - 60; // the full bucket of 60, then 1/s
    assertThat(Math.max(a.lastDone, b.lastDone) / 1e9).isLessThanOrEqualTo(1.10 * quotaMinimum);
  }

  @Test
  void a429PausesTheWholeBucketUntilRetryAfterThenResumesGradually() throws Exception {
    Governor g = governor(GovernorPolicy.defaults(), 1000);
    Permit first = g.acquire(KEY, 0, Governor.NO_DEADLINE).get();
    List<CompletableFuture<Permit>> waiting = new ArrayList<>();
    first.onResponse(429, Headers.of("retry-after-ms", "2000"), OptionalLong.empty());
    for (int i = 0; i < 40; i++) {
      waiting.add(g.acquire(KEY, 0, Governor.NO_DEADLINE));
    }
    assertThat(g.stats(KEY).pausedFor()).isEqualTo(Duration.ofSeconds(2));
    clock.advance(Duration.ofMillis(1999));
    assertThat(waiting).noneMatch(CompletableFuture::isDone);

    clock.advance(Duration.ofMillis(1));
    // Resumed, but gradually: the concurrency limit was halved from 32 to 16.
    assertThat(g.stats(KEY).concurrencyLimit()).isEqualTo(16);
    assertThat(waiting.stream().filter(CompletableFuture::isDone).count()).isEqualTo(16);
    assertThat(waiting.get(0).get().waited()).isEqualTo(Duration.ofSeconds(2));
    assertThat(g.stats().rateLimited()).isEqualTo(1);
    for (CompletableFuture<Permit> f : waiting) {
      if (f.isDone()) {
        f.get().onResponse(200, Headers.of(), OptionalLong.empty());
      }
    }
    assertThat(waiting).allMatch(CompletableFuture::isDone);
  }

  @Test
  void pauseIsJitteredAndFollowsTheExhaustedLimitsResetWhenNoRetryAfter() throws Exception {
    Governor g = Governor.create(GovernorPolicy.defaults(), 100, clock, () -> 0.5);
    g.acquire(KEY, 0, Governor.NO_DEADLINE).get().onResponse(429,
        Headers.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "3s"), OptionalLong.empty());
    // 3 s from the reset, plus 0.5 * 20% jitter of it.
    assertThat(g.stats(KEY).pausedFor()).isEqualTo(Duration.ofMillis(3300));

    Governor h = Governor.create(GovernorPolicy.defaults(), 100, clock, () -> 0.0);
    h.acquire(KEY, 0, Governor.NO_DEADLINE).get().onResponse(429, Headers.of(), OptionalLong.empty());
    assertThat(h.stats(KEY).pausedFor()).isEqualTo(GovernorPolicy.DEFAULT_PAUSE_WITHOUT_RETRY_AFTER);

    Governor capped = Governor.create(GovernorPolicy.builder().maxPause(Duration.ofSeconds(5)).build(), 100, clock,
        () -> 0.0);
    capped.acquire(KEY, 0, Governor.NO_DEADLINE).get().onResponse(429,
        Headers.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1h"), OptionalLong.empty());
    assertThat(capped.stats(KEY).pausedFor()).as("a reset past maxPause is cut to it").isEqualTo(Duration.ofSeconds(5));

    Governor refused = Governor.create(GovernorPolicy.builder().maxPause(Duration.ofSeconds(5)).build(), 100, clock,
        () -> 0.0);
    refused.acquire(KEY, 0, Governor.NO_DEADLINE).get().onResponse(429, Headers.of("retry-after", "3600"),
        OptionalLong.empty());
    assertThat(refused.stats(KEY).pausedFor()).as("a retry-after past maxPause is refused, not imposed")
        .isEqualTo(GovernorPolicy.DEFAULT_PAUSE_WITHOUT_RETRY_AFTER);
  }

  @Test
  void byDefaultAServerThatPublishesNoLimitsIsCappedOnlyByMaxInFlightUntilIts429() throws Exception {
    Governor g = Governor.create(GovernorPolicy.defaults(), 100, clock, () -> 0.0);
    List<CompletableFuture<Permit>> first = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      first.add(g.acquire(KEY, 0, Governor.NO_DEADLINE));
    }
    long probing = first.stream().filter(CompletableFuture::isDone).count();
    assertThat(probing).as("admitted before any response").isEqualTo(GovernorPolicy.DEFAULT_INITIAL_CONCURRENCY);
    first.get(0).get().onResponse(200, Headers.of(), OptionalLong.empty());
    long open = first.stream().filter(CompletableFuture::isDone).count();
    assertThat(open).as("after a response publishing no limits: maxInFlight (100) in flight").isEqualTo(101);
    first.get(1).get().onResponse(429, Headers.of("retry-after-ms", "100"), OptionalLong.empty());
    clock.advance(Duration.ofMillis(200));
    long afterDrop = first.stream().filter(CompletableFuture::isDone).count();
    assertThat(afterDrop).as("a 429 starts AIMD below the concurrency it had: nothing more admitted").isEqualTo(101);
    assertThat(g.stats(KEY).concurrencyLimit()).isEqualTo(50); // 100 in flight when limited, halved
  }

  @Test
  void aimdConvergesToASilentServersCapacity() {
    // No headers; the server takes 40 at once and answers 429 beyond. 2,000 calls of 100 ms.
    SimulatedServer.Silent server = new SimulatedServer.Silent(clock, 40);
    Governor g = Governor.create(GovernorPolicy.builder().capBeforeFirstLimit(true).build(), 1000, clock,
        new Random(7)::nextDouble);
    Driver d = new Driver(clock, g, server, KEY, Duration.ofMillis(100));
    d.submit(2000, 0);
    d.runUntilDone(2000, Duration.ofMillis(5), Duration.ofSeconds(120));

    assertThat(d.done).isEqualTo(2000);
    int limit = g.stats(KEY).concurrencyLimit();
    assertThat(limit).as("converged limit").isBetween(20, 48);
    assertThat((double) d.tooMany / d.responses).as("share of 429s").isLessThanOrEqualTo(0.05);
    double ideal = 2000 / 40 * 0.1; // 5 s at full capacity
    assertThat(d.seconds(d.lastDone)).isLessThanOrEqualTo(3 * ideal);
  }

  @Test
  void concurrencyGrowsWhileLatencyHoldsUpToMaxInFlight() {
    SimulatedServer.Silent server = new SimulatedServer.Silent(clock, Integer.MAX_VALUE);
    Governor g = governor(GovernorPolicy.builder().initialConcurrency(4).build(), 50);
    Driver d = new Driver(clock, g, server, KEY, Duration.ofMillis(100));
    d.submit(1000, 0);
    d.runUntilDone(1000, Duration.ofMillis(5), Duration.ofSeconds(120));
    assertThat(d.done).isEqualTo(1000);
    assertThat(server.maxInFlight).as("the client's maxInFlight is the ceiling").isEqualTo(50);
    assertThat(g.stats(KEY).concurrencyLimit()).isEqualTo(50);
  }

  @Test
  void concurrencyDoesNotGrowWhenLatencyRises() throws Exception {
    Governor g = governor(GovernorPolicy.builder().initialConcurrency(2).build(), 100);
    // Baseline: fast responses while the limit is in use grow it.
    Permit a = g.acquire(KEY, 0, Governor.NO_DEADLINE).get();
    Permit b = g.acquire(KEY, 0, Governor.NO_DEADLINE).get();
    clock.advance(Duration.ofMillis(100));
    a.onResponse(200, Headers.of(), OptionalLong.empty());
    assertThat(g.stats(KEY).concurrencyLimit()).isEqualTo(3);
    // A response 5x slower than the fastest seen does not.
    clock.advance(Duration.ofMillis(400));
    Permit c = g.acquire(KEY, 0, Governor.NO_DEADLINE).get();
    b.onResponse(200, Headers.of(), OptionalLong.empty());
    assertThat(g.stats(KEY).concurrencyLimit()).isEqualTo(3);
    c.release();
  }

  @Test
  void cancellingAWaitingCallGivesItsPlaceToTheNext() throws Exception {
    Governor g = governor(GovernorPolicy.builder().initialConcurrency(1).build(), 10);
    Permit a = g.acquire(KEY, 0, Governor.NO_DEADLINE).get();
    CompletableFuture<Permit> b = g.acquire(KEY, 0, Governor.NO_DEADLINE);
    CompletableFuture<Permit> c = g.acquire(KEY, 0, Governor.NO_DEADLINE);
    assertThat(g.stats(KEY).queued()).isEqualTo(2);

    b.cancel(true);
    assertThat(g.stats(KEY).queued()).isEqualTo(1);
    a.release();
    assertThat(c).isDone();
    assertThat(g.stats(KEY).inFlight()).isEqualTo(1);
    c.get().release();
    c.get().release(); // reported twice: the second is ignored
    assertThat(g.stats(KEY).inFlight()).isZero();
  }

  @Test
  void aDeadlinePassingWhileQueuedFailsTheCall() throws Exception {
    Governor g = governor(GovernorPolicy.builder().initialConcurrency(1).build(), 10);
    Permit a = g.acquire(KEY, 0, Governor.NO_DEADLINE).get();
    CompletableFuture<Permit> b = g.acquire(KEY, 0, clock.nanoTime() + SECOND);
    clock.advance(Duration.ofMillis(999));
    assertThat(b).isNotDone();
    clock.advance(Duration.ofMillis(1));
    assertThatThrownBy(b::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(FanoutTimeoutException.class)
        .hasMessageContaining("api.example.com/gpt-4o-mini").hasMessageContaining("deadline");
    assertThat(g.stats(KEY).queued()).isZero();
    a.release();
    assertThat(g.stats(KEY).inFlight()).isZero();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void aWaitKnownToEndPastTheDeadlineFailsAtOnce() throws Exception {
    Governor g = governor(GovernorPolicy.defaults(), 10);
    g.acquire(KEY, 0, Governor.NO_DEADLINE).get().onResponse(200, Headers.of(
        "RateLimit-Policy", "\"default\";q=1;w=10", "RateLimit", "\"default\";r=0;t=5"), OptionalLong.empty());
    CompletableFuture<Permit> paced = g.acquire(KEY, 0, clock.nanoTime() + SECOND);
    assertThat(paced).isCompletedExceptionally();
    assertThatThrownBy(paced::get).cause().isInstanceOf(FanoutTimeoutException.class).hasMessageContaining("5s");

    Governor p = governor(GovernorPolicy.defaults(), 10);
    p.acquire(KEY, 0, Governor.NO_DEADLINE).get().onResponse(429, Headers.of("retry-after", "3"), OptionalLong.empty());
    CompletableFuture<Permit> paused = p.acquire(KEY, 0, clock.nanoTime() + SECOND);
    assertThat(paused).isCompletedExceptionally();
    CompletableFuture<Permit> fits = p.acquire(KEY, 0, clock.nanoTime() + 4 * SECOND);
    clock.advance(Duration.ofSeconds(3));
    assertThat(fits.get().waited()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void waitersFailRatherThanHangWhenTheClientsClockIsShutDown() throws Exception {
    Governor g = governor(GovernorPolicy.builder().initialConcurrency(1).build(), 10);
    Permit a = g.acquire(KEY, 0, Governor.NO_DEADLINE).get();
    a.onResponse(200, Headers.of("RateLimit-Policy", "\"default\";q=1;w=10", "RateLimit", "\"default\";r=0;t=5"),
        OptionalLong.empty());
    clock.shutdown();
    CompletableFuture<Permit> paced = g.acquire(KEY, 0, Governor.NO_DEADLINE); // needs a wake-up timer
    CompletableFuture<Permit> timed = g.acquire(KEY, 0, clock.nanoTime() + 10 * SECOND); // needs a deadline timer
    assertThatThrownBy(paced::get).cause().isInstanceOf(dev.fanout.errors.FanoutCancelledException.class)
        .hasMessageContaining("client closed");
    assertThatThrownBy(timed::get).cause().isInstanceOf(dev.fanout.errors.FanoutCancelledException.class);
    assertThat(g.stats(KEY).queued()).isZero();
  }

  @Test
  void anthropicOutputTokensGateOnlyCallsThatGenerate() throws Exception {
    Governor g = governor(GovernorPolicy.defaults(), 100);
    g.acquire(KEY, TokenEstimate.NONE, Governor.NO_DEADLINE).get().onResponse(200, Headers.of(
        "date", "Thu, 01 Jan 2026 00:00:00 GMT",
        "anthropic-ratelimit-output-tokens-limit", "6000",
        "anthropic-ratelimit-output-tokens-remaining", "0",
        "anthropic-ratelimit-output-tokens-reset", "2026-01-01T00:01:00Z",
        "anthropic-ratelimit-input-tokens-limit", "60000",
        "anthropic-ratelimit-input-tokens-remaining", "60000",
        "anthropic-ratelimit-input-tokens-reset", "2026-01-01T00:00:00Z"), OptionalLong.empty());
    // Output tokens refill at 6,000/min = 100/s: a call that may generate 500 waits 5 s; input is plentiful.
    CompletableFuture<Permit> generating = g.acquire(KEY, new TokenEstimate(1000, 500), Governor.NO_DEADLINE);
    assertThat(generating).isNotDone();
    clock.advance(Duration.ofMillis(4999));
    assertThat(generating).isNotDone();
    clock.advance(Duration.ofMillis(1));
    assertThat(generating.get().waited()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void anthropicUsageCorrectsInputAndOutputLedgersEachByItsOwnDifference() throws Exception {
    Governor g = governor(GovernorPolicy.defaults(), 100);
    g.acquire(KEY, TokenEstimate.NONE, Governor.NO_DEADLINE).get().onResponse(200, Headers.of(
        "date", "Thu, 01 Jan 2026 00:00:00 GMT",
        "anthropic-ratelimit-output-tokens-limit", "6000",
        "anthropic-ratelimit-output-tokens-remaining", "6000",
        "anthropic-ratelimit-output-tokens-reset", "2026-01-01T00:00:00Z",
        "anthropic-ratelimit-input-tokens-limit", "60000",
        "anthropic-ratelimit-input-tokens-remaining", "60000",
        "anthropic-ratelimit-input-tokens-reset", "2026-01-01T00:00:00Z"), OptionalLong.empty());
    Permit p = g.acquire(KEY, new TokenEstimate(1000, 500), Governor.NO_DEADLINE).get();
    double input = remaining(g, LimitDimension.INPUT_TOKENS);
    double output = remaining(g, LimitDimension.OUTPUT_TOKENS);
    p.onResponse(200, Headers.of(), OptionalLong.empty());
    // 1,000 input estimated, 1,200 counted (cache reads already left out by the caller); 500 output estimated, 40 used
    p.onUsage(1200, 40);
    assertThat(remaining(g, LimitDimension.INPUT_TOKENS)).isEqualTo(input - 200);
    assertThat(remaining(g, LimitDimension.OUTPUT_TOKENS)).isEqualTo(output + 460);
    p.onUsage(0, 0); // once only
    assertThat(remaining(g, LimitDimension.OUTPUT_TOKENS)).isEqualTo(output + 460);
  }

  private static double remaining(Governor g, LimitDimension d) {
    return g.stats(KEY).limits().stream().filter(l -> l.dimension() == d).findFirst().orElseThrow().remaining();
  }

  @Test
  void actualUsageGivesAnOverEstimateBack() throws Exception {
    Governor g = governor(GovernorPolicy.defaults(), 100);
    Permit first = g.acquire(KEY, 100, Governor.NO_DEADLINE).get();
    first.onResponse(200, Headers.of("x-ratelimit-limit-tokens", "6000", "x-ratelimit-remaining-tokens", "1000",
        "x-ratelimit-reset-tokens", "50s"), OptionalLong.of(100));
    Permit second = g.acquire(KEY, 1000, Governor.NO_DEADLINE).get();
    double before = g.stats(KEY).limits().get(0).remaining();
    second.onResponse(200, Headers.of(), OptionalLong.of(200)); // used 200 of the 1,000 estimated
    assertThat(g.stats(KEY).limits().get(0).remaining()).isEqualTo(before + 800);
  }

  /** Token-bound: 1,000 tokens left of 6,000/min; a call of 100, then two of 600 (the second must wait). */
  private static final Headers TOKENS_LEFT_1000 = Headers.of("x-ratelimit-limit-tokens", "6000",
      "x-ratelimit-remaining-tokens", "1000", "x-ratelimit-reset-tokens", "50s");

  /** Returns how long the second 600-token call waits when the first reports {@code used} (or nothing). */
  private Duration secondCallsWait(OptionalLong used) throws Exception {
    FakeClock c = FakeClock.create();
    Governor g = Governor.create(GovernorPolicy.defaults(), 100, c, () -> 0.0);
    g.acquire(KEY, 100, Governor.NO_DEADLINE).get().onResponse(200, TOKENS_LEFT_1000, OptionalLong.empty());
    Permit a = g.acquire(KEY, 600, Governor.NO_DEADLINE).get();
    CompletableFuture<Permit> b = g.acquire(KEY, 600, Governor.NO_DEADLINE);
    assertThat(b).as("1,200 tokens do not fit in 1,000").isNotDone();
    a.onResponse(200, Headers.of(), OptionalLong.empty());
    used.ifPresent(a::onUsage);
    long start = c.nanoTime();
    while (!b.isDone()) {
      c.advance(Duration.ofMillis(10));
    }
    return Duration.ofNanos(c.nanoTime() - start);
  }

  @Test
  void usageReportedAfterTheResponseCorrectsTheTokenChargeBothWays() throws Exception {
    Governor g = governor(GovernorPolicy.defaults(), 100);
    g.acquire(KEY, 100, Governor.NO_DEADLINE).get().onResponse(200, TOKENS_LEFT_1000, OptionalLong.empty());
    Permit over = g.acquire(KEY, 600, Governor.NO_DEADLINE).get();
    double afterCharge = g.stats(KEY).limits().get(0).remaining();
    over.onResponse(200, Headers.of(), OptionalLong.empty());
    over.onUsage(100); // 600 estimated, 100 used: 500 back
    assertThat(g.stats(KEY).limits().get(0).remaining()).isEqualTo(afterCharge + 500);
    over.onUsage(50); // once only
    assertThat(g.stats(KEY).limits().get(0).remaining()).isEqualTo(afterCharge + 500);

    CompletableFuture<Permit> next = g.acquire(KEY, 100, Governor.NO_DEADLINE);
    while (!next.isDone()) {
      clock.advance(Duration.ofMillis(10)); // the pace spaces calls out
    }
    Permit under = next.get();
    double before = g.stats(KEY).limits().get(0).remaining();
    under.onResponse(200, Headers.of(), OptionalLong.empty());
    under.onUsage(400); // 100 estimated, 400 used: 300 more
    assertThat(g.stats(KEY).limits().get(0).remaining()).isEqualTo(before - 300);
  }

  @Test
  void aRefundAdmitsTheNextCallSoonerThanTheEstimateWould() throws Exception {
    Duration withoutUsage = secondCallsWait(OptionalLong.empty());
    Duration refunded = secondCallsWait(OptionalLong.of(100));
    // Without the refund the second call waits for 200 tokens to refill at 100/s (2 s); with it, it fits.
    assertThat(withoutUsage).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(refunded).isLessThan(withoutUsage);
  }

  @Test
  void aColdFanOutToAMeteredKeySendsOnlyTheProbeThenFollowsThePublishedLimit() throws Exception {
    Governor g = governor(GovernorPolicy.defaults(), Integer.MAX_VALUE);
    List<CompletableFuture<Permit>> calls = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      calls.add(g.acquire(KEY, 0, Governor.NO_DEADLINE));
    }
    assertThat(calls.stream().filter(CompletableFuture::isDone).count()).as("at t=0")
        .isEqualTo(GovernorPolicy.DEFAULT_INITIAL_CONCURRENCY);
    // OpenAI-style: 6,000/min, 40 of the 100 the bucket holds left (the probe's 32 took the rest, and more).
    calls.get(0).get().onResponse(200, Headers.of("x-ratelimit-limit-requests", "6000",
        "x-ratelimit-remaining-requests", "40", "x-ratelimit-reset-requests", "600ms"), OptionalLong.empty());
    long admitted = calls.stream().filter(CompletableFuture::isDone).count();
    assertThat(admitted).as("after the first response: within what remains, not the fan-out")
        .isLessThanOrEqualTo(GovernorPolicy.DEFAULT_INITIAL_CONCURRENCY + 40);
    clock.advance(Duration.ofSeconds(1));
    long oneSecondLater = calls.stream().filter(CompletableFuture::isDone).count();
    // At most the remaining 40 plus one second's refill (100) have gone out on top of the probe.
    assertThat(oneSecondLater).isLessThanOrEqualTo(GovernorPolicy.DEFAULT_INITIAL_CONCURRENCY + 40 + 100 + 1);
  }

  @Test
  void disabledGovernorAdmitsEverythingAtOnce() throws Exception {
    Governor g = governor(GovernorPolicy.disabled(), 1);
    for (int i = 0; i < 100; i++) {
      Permit p = g.acquire(KEY, 1_000_000, Governor.NO_DEADLINE).get();
      p.onResponse(429, Headers.of("retry-after", "60"), OptionalLong.empty());
    }
    assertThat(g.acquire(KEY, 0, Governor.NO_DEADLINE)).isDone();
    assertThat(g.stats().buckets()).isEmpty();
  }

  @Test
  void statsCountWaitsAndAdmissions() throws Exception {
    Governor g = governor(GovernorPolicy.builder().initialConcurrency(1).build(), 10);
    Permit a = g.acquire(KEY, 0, Governor.NO_DEADLINE).get();
    CompletableFuture<Permit> b = g.acquire(KEY, 0, Governor.NO_DEADLINE);
    clock.advance(Duration.ofMillis(300));
    a.onResponse(200, Headers.of(), OptionalLong.empty());
    assertThat(b.get().waited()).isEqualTo(Duration.ofMillis(300));
    GovernorStats s = g.stats();
    assertThat(s.admitted()).isEqualTo(2);
    assertThat(s.totalWait()).isEqualTo(Duration.ofMillis(300));
    assertThat(s.buckets()).singleElement().satisfies(bs -> {
      assertThat(bs.maxWait()).isEqualTo(Duration.ofMillis(300));
      assertThat(bs.inFlight()).isEqualTo(1);
    });
  }

  @Test
  void policyValidationNamesTheBadValue() {
    assertThatThrownBy(() -> GovernorPolicy.builder().initialConcurrency(0))
        .hasMessage("initialConcurrency < 1: 0");
    assertThatThrownBy(() -> GovernorPolicy.builder().backoffRatio(1.5)).hasMessage("backoffRatio not in (0, 1): 1.5");
    assertThatThrownBy(() -> GovernorPolicy.builder().latencyTolerance(0.5))
        .hasMessage("latencyTolerance < 1 or not finite: 0.5");
    assertThatThrownBy(() -> GovernorPolicy.builder().pauseJitter(-0.1)).hasMessage("pauseJitter not in [0, 1]: -0.1");
    assertThatThrownBy(() -> GovernorPolicy.builder().maxPause(Duration.ofSeconds(-1)))
        .hasMessage("maxPause < 0: PT-1S");
    assertThatThrownBy(() -> GovernorPolicy.builder().probeInterval(Duration.ZERO))
        .hasMessage("probeInterval <= 0: PT0S");
    assertThatThrownBy(() -> GovernorPolicy.builder().outputTokensWithoutMax(-1))
        .hasMessage("outputTokensWithoutMax < 0: -1");
    assertThatThrownBy(() -> Governor.create(GovernorPolicy.defaults(), 0, clock)).hasMessage("maxInFlight < 1: 0");
    assertThat(GovernorPolicy.defaults().newBuilder().build().toString()).isEqualTo(GovernorPolicy.defaults().toString());
  }
}
