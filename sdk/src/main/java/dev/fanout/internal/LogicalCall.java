package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.Deadline;
import dev.fanout.FanoutClock;
import dev.fanout.FanoutContext;
import dev.fanout.HedgePolicy;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.TransportException;
import dev.fanout.internal.hedge.Hedger;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.internal.telemetry.Telemetry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One logical call: its attempts, the backoffs between them, its deadline and its trace, behind the
 * future the caller holds (an {@link OwnedFuture}: a caller's {@code complete}, {@code cancel} or
 * {@code orTimeout} stops the HTTP call).
 *
 * <p>Exactly one path finishes it (a response, a final failure, the deadline timer, a cancel, or an
 * outside completion); that path records the trace first (so a fan-out that reacts to the completion
 * already sees it), then completes the future, then releases what is still running: the current
 * {@link Call}, a pending admission or backoff, the deadline and attempt timers. Attempts run one after
 * another; each waits for the engine's {@link AttemptGate}, then is enqueued and never waited for, so no
 * thread blocks on a call or a backoff. Every timer runs on the engine's {@link FanoutClock} (the
 * deadline's on the deadline's own clock).
 *
 * <h2>A hedge is not a retry.</h2>
 * An attempt of a hedgeable call (see {@link HedgePolicy}) may send backups of its request while its
 * first request still runs, when the engine's {@link Hedger} says one is due and its budget allows; each
 * backup waits for the same {@link AttemptGate} and is never sent while the client is at
 * {@code maxInFlight}. The first 2xx response headers win: every other request of the attempt is cancelled
 * at once (its {@link Call}, so its socket) and its body, if it got one, closed unread. A request that fails
 * while another of the attempt still runs is dropped; the attempt fails (and the retry policy decides)
 * only when none is left. {@link #attempts()} counts attempts, not hedges; the trace counts hedges sent
 * and won.
 */
public final class LogicalCall<T> extends OwnedFuture<T> {

  /** Turns a successful (2xx) response into the call's value. Runs on an OkHttp thread; must not block on anything but the body. */
  @FunctionalInterface
  public interface Handler<T> {
    T handle(Response response, LogicalCall<T> call) throws IOException;
  }

  private final HttpEngine engine;
  private final Request request;
  private final String label;
  private final Handler<T> handler;
  private final Deadline deadline;
  private final Duration budget;
  private final RetryPolicy policy;
  private final FanoutContext context;
  private final CallScope scope;
  private final long queuedNanos = System.nanoTime();
  private final AtomicBoolean finished = new AtomicBoolean();

  private volatile int attempts;
  private volatile Call currentCall;
  /** The first request of the first attempt: the one whose start is the call's start. */
  private volatile Call firstCall;
  private volatile CompletableFuture<?> pendingWait;
  private volatile FanoutClock.Timer deadlineTimer;
  /** The attempt in progress: its requests (the first and any hedges). */
  private volatile Round round;
  /** The engine's hedger and this call's policy, route and idempotence; set by the engine before {@link #start()}. */
  volatile Hedger hedger;
  volatile HedgePolicy hedgePolicy = HedgePolicy.disabled();
  volatile String route = "";
  volatile boolean markedIdempotent;
  private final AtomicInteger hedgesSent = new AtomicInteger();
  private final AtomicInteger hedgesWon = new AtomicInteger();
  private volatile boolean committed;
  /** The failure of the attempt a retry follows, for a retry the gate refuses. */
  private volatile FanoutException lastAttemptError;
  /** This call's span; set by the engine before {@link #start()}. */
  volatile Telemetry.CallScope telemetry = Telemetry.noop().callStarted(null);
  private volatile GenAiResponse genAiResponse;

  volatile long startNanos = -1;
  volatile long connectedNanos = -1;
  volatile long firstByteNanos = -1;
  volatile int statusCode = -1;
  /** Time the attempts waited for the gate (the rate-limit governor), summed. */
  private volatile long governorWaitNanos;
  /** Each request's times (attempts and their hedges), in the order sent; see {@link CallTrace.Attempt}. */
  private final java.util.List<AttemptTimes> attemptTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Requests re-sent after a stale keep-alive connection (not attempts; see {@link StaleConnectionReplay}). */
  private final java.util.concurrent.atomic.AtomicInteger replays = new java.util.concurrent.atomic.AtomicInteger();

  LogicalCall(
      HttpEngine engine,
      Request request,
      String label,
      Handler<T> handler,
      Deadline deadline,
      RetryPolicy policy,
      FanoutContext context,
      CallScope scope) {
    this.engine = engine;
    this.request = request;
    this.label = label;
    this.handler = handler;
    this.deadline = deadline;
    this.budget = deadline.isNone() ? null : deadline.remaining();
    this.policy = policy;
    this.context = context;
    this.scope = scope;
  }

  /** Returns the label used in traces and messages, such as {@code GET /users/7}. */
  public String label() {
    return label;
  }

  /** Returns how many attempts have started so far. */
  public int attempts() {
    return attempts;
  }

  /**
   * Marks that the handler delivered part of the result to the caller (a streamed delta): from now on a
   * failure is final, not retried, so nothing is delivered twice.
   */
  public void commit() {
    committed = true;
  }

  /** The handler read a GenAI response: telemetry records its model, finish reasons and token usage. */
  public void genAiResponse(GenAiResponse response) {
    genAiResponse = response;
  }

  /** The handler read the first chunk of a streamed response (time to first chunk). */
  public void firstChunk() {
    telemetry.firstChunk();
  }

  void start() {
    if (deadline.isExpired()) {
      finish(null, deadlineExceeded());
      return;
    }
    if (!deadline.isNone()) {
      try {
        FanoutClock.Timer timer = deadline.clock().schedule(deadline.remaining(), this::onDeadline);
        deadlineTimer = timer;
        if (isDone()) {
          timer.cancel();
        }
      } catch (RuntimeException e) {
        finish(null, new FanoutCancelledException(label + ": the clock refused the deadline timer", e));
        return;
      }
    }
    nextAttempt();
  }

  /** Fails the call with {@code error} on the SDK's behalf (closed client, cancelled context). */
  void refuse(FanoutException error) {
    finish(null, error);
  }

  private void nextAttempt() {
    if (isDone()) {
      return;
    }
    int attempt = attempts + 1;
    CompletableFuture<AttemptGate.Permit> admission;
    try {
      admission = engine.gate().acquire(request, attempt, gateDeadline());
    } catch (RuntimeException e) {
      finish(null, new FanoutCancelledException(label + ": the attempt gate failed", e));
      return;
    }
    pendingWait = admission;
    if (isDone()) {
      admission.cancel(false);
      return;
    }
    admission.whenComplete((permit, refused) -> {
      if (refused != null) {
        if (!isDone()) {
          Throwable cause = Futures.unwrap(refused);
          FanoutException previous = lastAttemptError;
          if (cause instanceof FanoutTimeoutException && previous != null) {
            // A retry the governor cannot admit before the deadline (a 429's pause outlasts it): the
            // caller sees why the call needed a retry, as with a retry backoff past the deadline.
            cause = new FanoutTimeoutException(label + ": deadline (" + (budget == null ? 0 : budget.toMillis())
                + " ms) leaves no time for the " + cause.getMessage() + " after attempt " + (attempt - 1) + ": "
                + previous.getMessage(), budget == null ? Duration.ZERO : budget, previous);
          }
          finish(null, cause instanceof FanoutException
              ? cause
              : new FanoutCancelledException(label + ": attempt " + attempt + " was not admitted", cause));
        }
        return;
      }
      send(attempt, permit);
    });
  }

  /** The call's deadline on the engine's clock, for the gate; {@link AttemptGate#NO_DEADLINE} if none. */
  private long gateDeadline() {
    if (deadline.isNone()) {
      return AttemptGate.NO_DEADLINE;
    }
    long left = deadline.remainingNanos();
    long now = engine.clock().nanoTime();
    return left >= AttemptGate.NO_DEADLINE - now ? AttemptGate.NO_DEADLINE - 1 : now + left;
  }

  private void send(int attempt, AttemptGate.Permit permit) {
    if (isDone()) {
      permit.onFailure(new FanoutCancelledException(label + ": finished before attempt " + attempt));
      return;
    }
    attempts = attempt;
    firstByteNanos = -1;
    connectedNanos = -1;
    statusCode = -1;
    Round r = new Round(attempt);
    round = r;
    if (!sendRequest(r, 0, permit, false)) {
      return;
    }
    Hedger h = hedger;
    if (h != null && hedgePolicy.enabled()) {
      r.ticket(h.open(route, request.method(), markedIdempotent, hedgePolicy, attempt, n -> hedge(r, n)));
    }
  }

  /**
   * Sends request {@code leg} of attempt {@code r} (0 is its first, 1.. its hedges); returns false if it
   * was not sent (the call or the attempt finished first, or the clock refused the attempt timer).
   */
  private boolean sendRequest(Round r, int leg, AttemptGate.Permit permit, boolean admitted) {
    int attempt = r.attempt;
    governorWaitNanos += permit.waited().toNanos();
    if (!permit.waited().isZero()) {
      telemetry.governorWait(permit.waited());
    }
    if (scope != null) {
      scope.admittedTo(permit.bucket());
    }
    Telemetry.AttemptScope span = leg == 0 ? telemetry.attemptStarted(attempt) : telemetry.hedgeSent(attempt);
    AttemptTimes times = new AttemptTimes(System.nanoTime());
    attemptTimes.add(times);
    Request.Builder tagged = request.newBuilder().tag(LogicalCall.class, this).tag(AttemptTimes.class, times);
    span.inject(tagged);
    Call call = engine.okHttp().newCall(tagged.build());
    AttemptCallback callback = new AttemptCallback(r, leg, permit, span, call, times);
    if (!r.add(callback, admitted) || isDone()) {
      FanoutCancelledException gone = new FanoutCancelledException(
          label + ": finished before attempt " + attempt + (leg == 0 ? "" : " hedge " + leg) + " was sent");
      r.remove(callback);
      permit.onFailure(gone);
      span.ended(gone);
      return false;
    }
    if (leg == 0) {
      currentCall = call;
      if (attempt == 1) {
        firstCall = call;
      }
    }
    Duration perAttempt = engine.attemptTimeout();
    if (!perAttempt.isZero()) {
      try {
        callback.timer = engine.clock().schedule(perAttempt, () -> callback.timeOut(call));
      } catch (RuntimeException e) {
        r.remove(callback);
        permit.onFailure(e);
        span.ended(e);
        finish(null, new FanoutCancelledException(label + ": the clock refused the attempt timer", e));
        return false;
      }
    }
    if (isDone()) {
      r.remove(callback);
      callback.cancelTimer();
      call.cancel();
      FanoutCancelledException never = new FanoutCancelledException(
          label + ": finished before attempt " + attempt + " was sent");
      permit.onFailure(never); // never enqueued, so no callback will report it
      span.ended(never);
      return false;
    }
    engine.attemptSent();
    if (leg > 0) {
      hedgesSent.incrementAndGet();
    }
    call.enqueue(callback);
    return true;
  }

  /**
   * The hedger says backup {@code n} of attempt {@code r} is due: sends it if the attempt still runs, the
   * client is below {@code maxInFlight} (a hedge never queues) and the budget has one; true if sent.
   */
  private boolean hedge(Round r, int n) {
    if (isDone() || r.isOver()) {
      return false;
    }
    if (engine.inFlight() >= engine.okHttp().dispatcher().getMaxRequests()) {
      return false;
    }
    Hedger h = hedger;
    if (!h.tryBackup()) {
      return false;
    }
    CompletableFuture<AttemptGate.Permit> admission;
    try {
      admission = engine.gate().acquire(request, r.attempt, gateDeadline());
    } catch (RuntimeException e) {
      return true; // counted as sent; nothing runs, the attempt's own request decides
    }
    if (!r.addPending(admission)) {
      admission.cancel(false);
      return true;
    }
    admission.whenComplete((permit, refused) -> {
      if (refused != null || !r.takePending(admission)) {
        if (permit != null) {
          permit.onFailure(new FanoutCancelledException(label + ": hedge " + n + " was no longer needed"));
        }
        r.pendingFailed(admission);
        return;
      }
      sendRequest(r, n, permit, true);
    });
    return true;
  }

  /** An attempt's request was re-sent on a fresh connection after a stale one; it stays the same attempt. */
  void replayed() {
    replays.incrementAndGet();
  }

  /** The first attempt's start is when its first request leaves the dispatcher's queue; later attempts keep it. */
  void onAttemptStart(Call call, long nanos) {
    if (call == firstCall || startNanos == -1) {
      startNanos = nanos;
    }
  }

  /**
   * One attempt: its first request and its hedges, and its ticket with the hedger. Decides, once, which
   * request's response the attempt takes (the first 2xx) or that it failed (when no request is left).
   */
  private final class Round {
    final int attempt;
    // Guarded by this.
    private final List<AttemptCallback> requests = new ArrayList<>(2);
    private final List<CompletableFuture<?>> pending = new ArrayList<>(1);
    /** Requests sent whose outcome is not known, and hedges waiting for admission. */
    private int running;
    private boolean over;
    private FanoutException dropped;
    private boolean droppedRetryable;
    private Duration droppedRetryAfter;
    private int droppedStatus = -1;
    private Hedger.Ticket ticket = Hedger.Ticket.NONE;

    Round(int attempt) {
      this.attempt = attempt;
    }

    void ticket(Hedger.Ticket t) {
      boolean closeNow;
      synchronized (this) {
        ticket = t;
        closeNow = over;
      }
      if (closeNow) {
        t.close(false);
      }
    }

    synchronized boolean isOver() {
      return over;
    }

    /** Adds a request about to be sent; false if the attempt is over. {@code admitted}: a hedge already counted. */
    synchronized boolean add(AttemptCallback c, boolean admitted) {
      if (over) {
        if (admitted) {
          running--;
        }
        return false;
      }
      if (!admitted) {
        running++;
      }
      requests.add(c);
      return true;
    }

    /** A request added but not sent after all: counted out. */
    synchronized void remove(AttemptCallback c) {
      if (requests.remove(c)) {
        running--;
      }
    }

    synchronized boolean addPending(CompletableFuture<?> admission) {
      if (over) {
        return false;
      }
      pending.add(admission);
      running++;
      return true;
    }

    /** A hedge was admitted: true if it is still wanted (it stays counted as running, for {@link #add}). */
    synchronized boolean takePending(CompletableFuture<?> admission) {
      return pending.remove(admission) && !over;
    }

    /** A hedge was refused admission, or admitted too late: counted out; the attempt may now have failed. */
    void pendingFailed(CompletableFuture<?> admission) {
      FanoutException error;
      synchronized (this) {
        pending.remove(admission);
        running--;
        if (over || running > 0 || dropped == null) {
          return;
        }
        over = true;
        error = dropped;
      }
      ended(false);
      if (!isDone()) {
        statusCode = droppedStatus;
        attemptFailed(error, droppedRetryable, droppedRetryAfter);
      }
    }

    /**
     * Request {@code c} failed: returns true if that fails the attempt (no other request is left), else
     * keeps its error in case the others fail too.
     */
    boolean failed(AttemptCallback c, FanoutException error, boolean retryable, Duration retryAfter, int status) {
      synchronized (this) {
        running--;
        if (over) {
          return false;
        }
        if (running > 0) {
          dropped = error;
          droppedRetryable = retryable;
          droppedRetryAfter = retryAfter;
          droppedStatus = status;
          return false;
        }
        over = true;
      }
      ended(false);
      return true;
    }

    /** Request {@code c}'s 2xx headers arrived: true if it is the attempt's response; the others are cancelled. */
    boolean claim(AttemptCallback c) {
      List<AttemptCallback> losers = new ArrayList<>();
      List<CompletableFuture<?>> admissions;
      synchronized (this) {
        running--;
        if (over) {
          return false;
        }
        over = true;
        for (AttemptCallback other : requests) {
          if (other != c) {
            losers.add(other);
          }
        }
        admissions = new ArrayList<>(pending);
        pending.clear();
      }
      if (c.leg > 0) {
        wonByBackup();
      } else {
        ended(true);
      }
      currentCall = c.call;
      if (c.leg > 0) {
        hedgesWon.incrementAndGet();
        hedger.won();
      }
      for (AttemptCallback loser : losers) {
        loser.cancelTimer();
        loser.call.cancel();
        hedger.loserCancelled();
      }
      for (CompletableFuture<?> a : admissions) {
        a.cancel(false);
      }
      return true;
    }

    /** The call finished (any path): every request and hedge admission still running is cancelled. */
    void cancelAll() {
      List<AttemptCallback> all;
      List<CompletableFuture<?>> admissions;
      synchronized (this) {
        over = true;
        all = new ArrayList<>(requests);
        admissions = new ArrayList<>(pending);
        pending.clear();
      }
      ended(false);
      for (AttemptCallback c : all) {
        c.cancelTimer();
      }
      for (CompletableFuture<?> a : admissions) {
        a.cancel(false);
      }
      // A call the handler is reading is cancelled only when the caller asked for it: see release().
    }

    synchronized List<Call> calls() {
      List<Call> calls = new ArrayList<>(requests.size());
      for (AttemptCallback c : requests) {
        calls.add(c.call);
      }
      return calls;
    }

    private void ended(boolean succeeded) {
      Hedger.Ticket t;
      synchronized (this) {
        t = ticket;
      }
      t.close(succeeded);
    }

    private void wonByBackup() {
      Hedger.Ticket t;
      synchronized (this) {
        t = ticket;
      }
      t.closeWonByBackup();
    }
  }

  private final class AttemptCallback implements Callback {
    private final Round round;
    private final int attempt;
    private final int leg;
    private final AttemptGate.Permit permit;
    private final Telemetry.AttemptScope span;
    final Call call;
    volatile FanoutClock.Timer timer;
    private final AttemptTimes times;
    private volatile boolean timedOut;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

    AttemptCallback(Round round, int leg, AttemptGate.Permit permit, Telemetry.AttemptScope span, Call call,
        AttemptTimes times) {
      this.round = round;
      this.attempt = round.attempt;
      this.leg = leg;
      this.permit = permit;
      this.span = span;
      this.call = call;
      this.times = times;
    }

    void cancelTimer() {
      FanoutClock.Timer t = timer;
      if (t != null) {
        t.cancel();
      }
    }

    /** Counts this attempt out of the engine's in flight, once, before its outcome can start another call. */
    private void end() {
      if (ended.compareAndSet(false, true)) {
        times.endNanos = System.nanoTime();
        engine.attemptEnded();
      }
    }

    void timeOut(Call call) {
      timedOut = true;
      call.cancel();
    }

    @Override
    public void onFailure(Call call, IOException e) {
      cancelTimer();
      FanoutException error = timedOut
          ? new FanoutTimeoutException(label + ": attempt " + attempt + " did not finish within the attemptTimeout ("
              + engine.attemptTimeout().toMillis() + " ms)", engine.attemptTimeout(), e)
          : transport(e);
      end();
      permit.onFailure(error);
      span.ended(error);
      if (isDone()) {
        return;
      }
      boolean retryable = policy.retriesError(error);
      if (round.failed(this, error, retryable, null, -1)) {
        attemptFailed(error, retryable, null);
      }
    }

    @Override
    public void onResponse(Call call, Response response) {
      cancelTimer();
      permit.onResponse(response);
      span.responded(response.code());
      if (response.code() == 429 && scope != null) {
        scope.rateLimited();
      }
      Throwable attemptError = null;
      try (response) {
        if (isDone()) {
          end();
          return;
        }
        int code = response.code();
        if (!response.isSuccessful()) {
          Duration retryAfter = dev.fanout.internal.governor.RateLimitHeaders
              .retryAfter(response.headers(), engine.clock()).orElse(null);
          boolean retryable = policy.retriesResponse(code, response.header("x-should-retry"));
          FanoutException error = Errors.fromResponse(response, retryAfter);
          end();
          span.ended(null); // before the call can finish: its status was recorded by responded(code)
          if (round.failed(this, error, retryable, retryAfter, code)) {
            statusCode = code;
            attemptFailed(error, retryable, retryAfter);
          }
          return;
        }
        if (!round.claim(this)) {
          end(); // another request of the attempt won: this body is closed unread
          return;
        }
        statusCode = code;
        T value = handler.handle(response, LogicalCall.this);
        reportUsage(permit);
        end();
        span.ended(null);
        finish(value, null);
      } catch (IOException e) {
        end();
        attemptError = e;
        span.ended(e);
        if (!isDone()) {
          TransportException error = transport(e);
          attemptFailed(error, policy.retriesError(error), null);
        }
      } catch (FanoutException e) {
        end();
        attemptError = e;
        span.ended(e);
        finish(null, e);
      } catch (RuntimeException e) {
        end();
        attemptError = e;
        span.ended(e);
        finish(null, new DecodeException(label + ": " + e, e));
      } finally {
        end();
        // ended once, before the call could finish, on every path above; this one is for a path that did not
        span.ended(attemptError);
      }
    }
  }

  /** Tells the gate the tokens the response body reported, so a token estimate is corrected. */
  private void reportUsage(AttemptGate.Permit permit) {
    GenAiResponse r = genAiResponse;
    if (r == null || (r.inputTokens().isEmpty() && r.outputTokens().isEmpty())) {
      return;
    }
    long total = r.inputTokens().orElse(0) + r.outputTokens().orElse(0);
    try {
      permit.onUsage(total);
    } catch (RuntimeException e) {
      HttpEngine.LOG.warn("the attempt gate failed to take the usage of {}", label, e);
    }
  }

  /** Cancels the attempt in progress (its reader then fails); the call itself decides what that means. */
  void cancelCurrentAttempt() {
    Call c = currentCall;
    if (c != null) {
      c.cancel();
    }
  }


  private void attemptFailed(FanoutException error, boolean retryable, Duration retryAfter) {
    int n = attempts;
    if (!retryable || committed || n >= policy.maxAttempts() || policy.refusesRetryAfter(retryAfter)) {
      finish(null, error);
      return;
    }
    lastAttemptError = error;
    // A governing gate already paused the bucket for this 429: the retry waits for it, not twice.
    Duration wait = statusCode == 429 && engine.gate().pacesRateLimits() ? Duration.ZERO : policy.backoff(n, retryAfter);
    if (!deadline.isNone() && wait.toNanos() >= deadline.remainingNanos()) {
      finish(null, new FanoutTimeoutException(
          label + ": deadline (" + budget.toMillis() + " ms) leaves no time for the " + wait.toMillis()
              + " ms retry backoff after attempt " + n + ": " + error.getMessage(),
          budget, error));
      return;
    }
    if (wait.isZero()) {
      nextAttempt(); // the gate's own wait (a 429's pause) is the whole wait: no zero-length timer
      return;
    }
    CompletableFuture<Void> w;
    try {
      w = engine.clock().sleep(wait);
    } catch (RuntimeException e) {
      finish(null, new FanoutCancelledException(label + ": could not schedule a retry", e));
      return;
    }
    pendingWait = w;
    if (isDone()) {
      w.cancel(false);
      return;
    }
    w.whenComplete((ignored, t) -> {
      if (t != null) {
        if (!isDone()) {
          finish(null, new FanoutCancelledException(label + ": the retry wait was abandoned", t));
        }
        return;
      }
      try {
        nextAttempt();
      } catch (RuntimeException e) {
        finish(null, new FanoutCancelledException(label + ": could not start attempt " + (n + 1), e));
      }
    });
  }

  private void onDeadline() {
    if (!isDone()) {
      finish(null, deadlineExceeded());
    }
  }

  private FanoutTimeoutException deadlineExceeded() {
    return new FanoutTimeoutException(
        label + " did not finish within its deadline (" + (budget == null ? 0 : budget.toMillis()) + " ms)",
        budget == null ? Duration.ZERO : budget);
  }

  private boolean finish(T value, Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    if (error instanceof FanoutException && attempts > 0) {
      Attempts.set((FanoutException) error, attempts);
    }
    deliverTrace(Outcome.Kind.of(error), error == null ? null : error.getClass());
    telemetry.ended(error, genAiResponse);
    // Completing inside the context lets continuations that run now (a thenCompose that makes the next call
    // of a chain) inherit the fan-out's deadline, trace sink and cancellation.
    BooleanSupplier completion = () -> error == null ? sdkComplete(value) : sdkFail(error);
    boolean changed = context.isNone()
        ? completion.getAsBoolean()
        : Contexts.runIn(context, completion::getAsBoolean);
    release(error != null);
    return changed;
  }

  /**
   * A caller completed or cancelled this future: it takes the caller's value, the HTTP call and any
   * pending wait are cancelled, and the trace says {@link Outcome.Kind#CANCELLED}.
   */
  @Override
  protected boolean fromOutside(BooleanSupplier completion) {
    if (!finished.compareAndSet(false, true)) {
      return completion.getAsBoolean();
    }
    deliverTrace(Outcome.Kind.CANCELLED, FanoutCancelledException.class);
    telemetry.ended(new FanoutCancelledException(label + " was completed or cancelled by its caller"), null);
    boolean changed = completion.getAsBoolean();
    release(true);
    return changed;
  }

  private void release(boolean cancelCall) {
    engine.finished(this);
    FanoutClock.Timer timer = deadlineTimer;
    if (timer != null) {
      timer.cancel();
    }
    CompletableFuture<?> w = pendingWait;
    if (w != null && !w.isDone()) {
      w.cancel(false);
    }
    Round r = round;
    if (r != null) {
      r.cancelAll();
    }
    Call call = currentCall;
    if (cancelCall && call != null) {
      call.cancel();
    }
    if (r != null) {
      // Hedges still running lost: cancelled whatever the outcome (the winner, if any, is currentCall).
      for (Call c : r.calls()) {
        if (c != call) {
          c.cancel();
        }
      }
    }
  }

  private void deliverTrace(Outcome.Kind outcome, Class<? extends Throwable> errorType) {
    long end = System.nanoTime();
    long start = startNanos == -1 ? end : startNanos;
    java.util.List<CallTrace.Attempt> timings = new java.util.ArrayList<>(attemptTimes.size());
    for (AttemptTimes t : attemptTimes) {
      timings.add(t.toAttempt(end));
    }
    CallTrace trace = new CallTrace(
        label, queuedNanos, start, connectedNanos, firstByteNanos, end, attempts, statusCode, outcome,
        outcome == Outcome.Kind.SUCCEEDED ? null : errorType, governorWaitNanos, hedgesSent.get(), hedgesWon.get(),
        replays.get(), timings);
    if (scope != null) {
      try {
        scope.record(trace);
      } catch (RuntimeException e) {
        HttpEngine.LOG.warn("trace sink failed for {}", label, e);
      }
    }
    engine.deliverTrace(trace);
  }

  /**
   * One attempt's times as they happen: handed to OkHttp, sent (left the dispatcher's queue: the client's
   * {@code maxInFlight}), its outcome known. Written by {@link TraceEventListener} and the attempt's callback.
   */
  static final class AttemptTimes {
    final long enqueuedNanos;
    /** When it left the client's queue; -1 while it waits there. */
    volatile long sentNanos = -1;
    volatile long endNanos = -1;

    AttemptTimes(long enqueuedNanos) {
      this.enqueuedNanos = enqueuedNanos;
    }

    private boolean dequeued;

    /** OkHttp started the call: it runs at once unless the dispatcher queues it next. */
    synchronized void callStarted(long nanos) {
      if (!dequeued) {
        sentNanos = nanos;
      }
    }

    /**
     * The dispatcher queued it: it was not sent after all. (Fired on the enqueuing thread after the dispatcher's
     * lock is released, so another thread may have let it run already.)
     */
    synchronized void queued() {
      if (!dequeued) {
        sentNanos = -1;
      }
    }

    /** The dispatcher let it run. */
    synchronized void dequeued(long nanos) {
      dequeued = true;
      sentNanos = nanos;
    }

    /** The attempt as a trace shows it, an unfinished one ending at {@code callEnd} (the call's end). */
    CallTrace.Attempt toAttempt(long callEnd) {
      long end = endNanos >= 0 ? Math.min(endNanos, callEnd) : callEnd;
      long enqueued = Math.min(enqueuedNanos, end);
      long sent = sentNanos;
      return new CallTrace.Attempt(enqueued, sent < 0 ? -1 : Math.max(enqueued, Math.min(sent, end)), end);
    }
  }

  /** What the wire failure says, with the request's credentials taken out (a status line can echo them). */
  private TransportException transport(IOException e) {
    Redaction.Secrets secrets = Redaction.Secrets.of(request);
    return new TransportException(label + ": " + secrets.redact(describe(e)), secrets.scrub(e));
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  @Override
  public String toString() {
    return "LogicalCall{" + label + ", attempts=" + attempts + ", " + super.toString() + '}';
  }
}
