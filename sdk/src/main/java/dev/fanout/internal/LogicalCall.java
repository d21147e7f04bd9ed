package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.Deadline;
import dev.fanout.FanoutContext;
import dev.fanout.FanoutClock;
import dev.fanout.Outcome;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.hedge.Hedger;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.internal.telemetry.Telemetry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import okhttp3.Call;
import okhttp3.Response;

/**
 * One logical call: the one object that holds a call's mutable state and decides, once, how it ends. The
 * future the caller holds is this object (an {@link OwnedFuture}: a caller's {@code complete}, {@code cancel}
 * or {@code orTimeout} stops the HTTP call).
 *
 * <h2>The call path, one way down.</h2>
 * {@link HttpEngine#start} (the call factory) decides the call's {@link CallSpec}; this call then runs its
 * stages in order, each with one job: the retry loop ({@link #nextAttempt}, {@link #attemptFailed}), admission
 * through the engine's {@link AttemptGate} (one permit per request), the attempt's {@link HedgeRace} (its first
 * request and any hedges), the {@link Exchange} of each request with OkHttp (its callback, its error mapping,
 * the handler run on the OkHttp thread for the winning request only), and the {@link CallRecorder} that every
 * stage and the {@link TraceEventListener} report facts to. Handlers see the call only as an
 * {@link AttemptContext}.
 *
 * <h2>Exactly one path finishes it.</h2>
 * A response, a final failure, the deadline timer, a cancel, or an outside completion: that path records the
 * trace first (so a fan-out that reacts to the completion already sees it), then completes the future, then
 * releases what is still running: the current {@link Call}, a pending admission or backoff, the deadline and
 * attempt timers. Attempts run one after another; each waits for the gate, then is enqueued and never waited
 * for, so no thread blocks on a call or a backoff. Every timer runs on the engine's {@link FanoutClock} (the
 * deadline's on the deadline's own clock).
 *
 * <h2>A hedge is not a retry.</h2>
 * An attempt of a hedgeable call may send backups of its request while its first request still runs, when the
 * engine's {@link Hedger} says one is due and its budget allows; each backup waits for the same gate and is
 * never sent while the client is at {@code maxInFlight}. {@link #attempts()} counts attempts, not hedges; the
 * trace counts hedges sent and won.
 */
public final class LogicalCall<T> extends OwnedFuture<T> implements AttemptContext {

  /** Turns a successful (2xx) response into the call's value. Runs on an OkHttp thread; must not block on anything but the body. */
  @FunctionalInterface
  public interface Handler<T> {
    T handle(Response response, AttemptContext call) throws IOException;
  }

  private final HttpEngine engine;
  private final CallSpec<T> spec;
  private final Hedger hedger;
  private final Duration budget;
  private final CallRecorder recorder;
  private final AtomicBoolean finished = new AtomicBoolean();
  /**
   * Taken by {@link #handOff} (a request about to go to the network), by {@link #send} (which registers the
   * attempt whose OkHttp calls a finish cancels) and by a finish reading that attempt, so each sees the other.
   */
  private final Object handOffLock = new Object();
  /** A request of this call passed {@link #handOff}: it may have reached the server. Guarded by handOffLock. */
  private boolean sentOne;
  /** The SDK is failing the call ({@link #refuse}): no request may pass {@link #handOff}. Guarded by handOffLock. */
  private boolean refusing;

  private volatile int attempts;
  /** The request whose response the call reads: the attempt's first, or the hedge that won. */
  private volatile Call currentCall;
  private volatile CompletableFuture<?> pendingWait;
  private volatile FanoutClock.Timer deadlineTimer;
  /** The attempt in progress: its requests (the first and any hedges). */
  private volatile HedgeRace race;
  private volatile boolean committed;
  /** The failure of the attempt a retry follows, for a retry the gate refuses. */
  private volatile FanoutException lastAttemptError;
  private volatile GenAiResponse genAiResponse;

  LogicalCall(HttpEngine engine, CallSpec<T> spec, Hedger hedger) {
    this.engine = engine;
    this.spec = spec;
    this.hedger = hedger;
    this.budget = spec.deadline().isNone() ? null : spec.deadline().remaining();
    this.recorder = new CallRecorder(engine.clock());
  }

  CallSpec<T> spec() {
    return spec;
  }

  HttpEngine engine() {
    return engine;
  }

  CallRecorder recorder() {
    return recorder;
  }

  @Override
  public String label() {
    return spec.label();
  }

  /** Returns how many attempts have started so far. */
  public int attempts() {
    return attempts;
  }

  @Override
  public void commit() {
    committed = true;
  }

  @Override
  public void genAiResponse(GenAiResponse response) {
    genAiResponse = response;
  }

  @Override
  public void firstChunk() {
    spec.telemetry().firstChunk();
  }

  @Override
  public void cancelAttempt() {
    Call c = currentCall;
    if (c != null) {
      c.cancel();
    }
  }

  void start() {
    Deadline deadline = spec.deadline();
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
        finish(null, new FanoutCancelledException(label() + ": the clock refused the deadline timer", e));
        return;
      }
    }
    nextAttempt();
  }

  /**
   * Fails the call on the SDK's behalf (closed client, cancelled context) with a
   * {@link FanoutCancelledException} that says {@code why} and whether a request of it may have reached the
   * server; no request of it is sent after this returns.
   */
  void refuse(String why) {
    boolean sent;
    synchronized (handOffLock) {
      refusing = true;
      sent = sentOne;
    }
    finish(null, new FanoutCancelledException(label() + ": " + why + (sent
        ? "; its request had been sent and may have reached the server"
        : "; its request was never sent")));
  }

  /**
   * A request of this call is about to go to the network (see {@link HandOff}): returns null to let it go, or
   * why it must not (the call finished, its context was cancelled, the client closed).
   */
  String handOff() {
    synchronized (handOffLock) {
      String why = null;
      CallScope scope = spec.scope();
      if (refusing || finished.get()) {
        why = "the call had already ended";
      } else if (scope != null && scope.isCancelled()) {
        why = "its context was cancelled (" + scope.cancelledBecause() + ")";
      } else if (engine.isClosed()) {
        why = "the client was closed";
      }
      if (why == null) {
        sentOne = true;
      }
      return why;
    }
  }

  /** True once the call is ending or ended: nothing more of it may start (an attempt, a hedge, a backoff). */
  boolean ending() {
    return finished.get() || isDone();
  }

  /**
   * A request of attempt {@code attempt} was refused at the hand-off (see {@link HandOff}): the call ends,
   * cancelled, unretried; the request never reached the network.
   */
  void notSent(int attempt, String why) {
    finish(null, new FanoutCancelledException(label() + ": " + why + (attempt == 1
        ? "; its request was never sent"
        : "; attempt " + attempt + " was never sent (earlier attempts were)")));
  }

  // ---- the retry loop ----

  private void nextAttempt() {
    if (ending()) {
      return;
    }
    int attempt = attempts + 1;
    CallRecorder.AttemptTimes times = recorder.asking(attempt, 0);
    CompletableFuture<AttemptGate.Permit> admission;
    try {
      admission = engine.gate().acquire(spec.request(), attempt, gateDeadline());
    } catch (RuntimeException e) {
      times.ended(recorder.now());
      finish(null, new FanoutCancelledException(label() + ": the attempt gate failed", e));
      return;
    }
    pendingWait = admission;
    boolean admittedAtOnce = admission.isDone() && !admission.isCompletedExceptionally();
    if (ending()) {
      if (admittedAtOnce) {
        admission.join().onFailure(new FanoutCancelledException(label() + ": finished before attempt " + attempt));
      } else {
        admission.cancel(false);
      }
      return;
    }
    if (admittedAtOnce) {
      send(attempt, admission.join(), times); // the usual case: no continuation to allocate
      return;
    }
    admission.whenComplete((permit, refused) -> {
      if (refused != null) {
        if (!isDone()) {
          times.ended(recorder.now());
          finish(null, notAdmitted(attempt, Futures.unwrap(refused)));
        }
        return;
      }
      send(attempt, permit, times);
    });
  }

  private Throwable notAdmitted(int attempt, Throwable cause) {
    FanoutException previous = lastAttemptError;
    if (cause instanceof FanoutTimeoutException && previous != null) {
      // A retry the governor cannot admit before the deadline (a 429's pause outlasts it): the
      // caller sees why the call needed a retry, as with a retry backoff past the deadline.
      return new FanoutTimeoutException(label() + ": deadline (" + deadlineText()
          + ") leaves no time for the " + cause.getMessage() + " after attempt " + (attempt - 1) + ": "
          + previous.getMessage(), deadlineSet(), previous);
    }
    return cause instanceof FanoutException
        ? cause
        : new FanoutCancelledException(label() + ": attempt " + attempt + " was not admitted", cause);
  }

  /**
   * Attempt {@link #attempts} failed with {@code error} (status {@code status}, -1 for none): retries it
   * after the policy's backoff, or finishes the call.
   */
  void attemptFailed(FanoutException error, boolean retryable, Duration retryAfter, int status) {
    recorder.status(status);
    int n = attempts;
    var policy = spec.policy();
    if (!retryable || committed || n >= policy.maxAttempts() || policy.refusesRetryAfter(retryAfter)) {
      if (HttpEngine.LOG.isDebugEnabled()) {
        HttpEngine.LOG.debug("{}: attempt {} failed, not retried ({}): {}", label(), n,
            !retryable ? "not retryable" : committed ? "the response was already being delivered"
                : n >= policy.maxAttempts() ? "maxAttempts " + policy.maxAttempts() + " reached"
                : "the server asked to wait " + retryAfter.toMillis() + " ms, beyond maxRetryAfter",
            error.getMessage());
      }
      finish(null, error);
      return;
    }
    lastAttemptError = error;
    // A governing gate already paused the bucket for this 429: the retry waits for it, not twice.
    Duration wait = status == 429 && engine.gate().pacesRateLimits() ? Duration.ZERO : policy.backoff(n, retryAfter);
    if (HttpEngine.LOG.isDebugEnabled()) {
      HttpEngine.LOG.debug("{}: attempt {} failed{}; retrying {}: {}", label(), n,
          status == 429 ? " with 429 Too Many Requests" + (retryAfter == null ? "" : " (retry after "
              + retryAfter.toMillis() + " ms)") : "",
          wait.isZero() ? "when the governor admits it (its pause for this 429)" : "in " + wait.toMillis() + " ms",
          error.getMessage());
    }
    Deadline deadline = spec.deadline();
    if (!deadline.isNone() && wait.toNanos() >= deadline.remainingNanos()) {
      finish(null, new FanoutTimeoutException(
          label() + ": deadline (" + deadlineText() + ") leaves no time for the " + wait.toMillis()
              + " ms retry backoff after attempt " + n + ": " + error.getMessage(),
          deadlineSet(), error));
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
      finish(null, new FanoutCancelledException(label() + ": could not schedule a retry", e));
      return;
    }
    pendingWait = w;
    if (ending()) {
      w.cancel(false);
      return;
    }
    w.whenComplete((ignored, t) -> {
      if (t != null) {
        if (!isDone()) {
          finish(null, new FanoutCancelledException(label() + ": the retry wait was abandoned", t));
        }
        return;
      }
      try {
        nextAttempt();
      } catch (RuntimeException e) {
        finish(null, new FanoutCancelledException(label() + ": could not start attempt " + (n + 1), e));
      }
    });
  }

  /** The call's deadline on the engine's clock, for the gate; {@link AttemptGate#NO_DEADLINE} if none. */
  long gateDeadline() {
    Deadline deadline = spec.deadline();
    if (deadline.isNone()) {
      return AttemptGate.NO_DEADLINE;
    }
    long left = deadline.remainingNanos();
    long now = engine.clock().nanoTime();
    return left >= AttemptGate.NO_DEADLINE - now ? AttemptGate.NO_DEADLINE - 1 : now + left;
  }

  private void send(int attempt, AttemptGate.Permit permit, CallRecorder.AttemptTimes times) {
    HedgeRace r = new HedgeRace(this, hedger, attempt);
    synchronized (handOffLock) {
      // Under the lock a finish reads the race under: it either sees this race (and cancels its calls) or
      // this sees it finished.
      if (!refusing && !ending()) {
        race = r;
      } else {
        r = null;
      }
    }
    if (r == null) {
      permit.onFailure(new FanoutCancelledException(label() + ": finished before attempt " + attempt));
      return;
    }
    attempts = attempt;
    recorder.attemptBegins();
    r.start(permit, times);
  }

  /** Returns the exchange of one of this call's requests: its handler is this call's. */
  Exchange<T> exchange(HedgeRace race, int leg, AttemptGate.Permit permit, Telemetry.AttemptScope span, Call call,
      CallRecorder.AttemptTimes times) {
    return new Exchange<>(this, race, leg, permit, span, call, times);
  }

  /** {@code call} is the request the call reads now: an attempt's first, or the hedge that won its race. */
  void answeredBy(Call call) {
    currentCall = call;
  }

  /** What the handler reported of a GenAI response (model, finish reasons, tokens); null if none. */
  GenAiResponse genAiResponse() {
    return genAiResponse;
  }

  // ---- the single finish: record, complete, release ----

  private void onDeadline() {
    if (!isDone()) {
      finish(null, deadlineExceeded());
    }
  }

  private FanoutTimeoutException deadlineExceeded() {
    return new FanoutTimeoutException(label() + " did not finish within its deadline (" + deadlineText() + ")",
        deadlineSet());
  }

  /** The timeout the deadline was set with (what a timeout error reports), zero with none. */
  private Duration deadlineSet() {
    return spec.deadline().isNone() ? Duration.ZERO : spec.deadline().timeout();
  }

  /** {@code 200 ms}, or {@code 200 ms; 177 ms were left when the call started} for a deadline set before it. */
  private String deadlineText() {
    Duration set = deadlineSet();
    Duration left = budget == null ? Duration.ZERO : budget;
    return set.minus(left).toMillis() < 1 ? set.toMillis() + " ms"
        : set.toMillis() + " ms; " + left.toMillis() + " ms were left when the call started";
  }

  boolean finish(T value, Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    if (error instanceof FanoutException && attempts > 0) {
      ((FanoutException) error).setAttempts(attempts);
    }
    record(Outcome.Kind.of(error), error == null ? null : error.getClass());
    reportWaitsCutShort();
    spec.telemetry().ended(error, genAiResponse);
    // Completing inside the context lets continuations that run now (a thenCompose that makes the next call
    // of a chain) inherit the fan-out's deadline, trace sink and cancellation.
    BooleanSupplier completion = () -> error == null ? sdkComplete(value) : sdkFail(error);
    boolean changed = spec.context().isNone()
        ? completion.getAsBoolean()
        : inContext(spec.context(), completion);
    release(error != null);
    return changed;
  }

  /** Runs {@code body} with {@code context} as the thread's current context (through its public wrapper). */
  private static boolean inContext(FanoutContext context, BooleanSupplier body) {
    boolean[] changed = new boolean[1];
    Runnable run = () -> changed[0] = body.getAsBoolean();
    context.wrap(run).run();
    return changed[0];
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
    record(Outcome.Kind.CANCELLED, FanoutCancelledException.class);
    reportWaitsCutShort();
    spec.telemetry().ended(new FanoutCancelledException(label() + " was completed or cancelled by its caller"), null);
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
    HedgeRace r;
    synchronized (handOffLock) {
      r = race; // finished is set: no race is registered after this read
    }
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

  /** A wait for the governor the call's end cut short is a governor wait too (stats and spans count it). */
  private void reportWaitsCutShort() {
    for (Duration waited : recorder.waitsCutShort()) {
      spec.telemetry().governorWait(waited);
    }
  }

  private void record(Outcome.Kind outcome, Class<? extends Throwable> errorType) {
    CallScope scope = spec.scope();
    if (scope == null && !engine.hasTraceListener()) {
      return; // no fan-out and no listener reads it: the trace is not built
    }
    CallTrace trace = recorder.trace(label(), attempts, outcome, errorType);
    if (scope != null) {
      try {
        scope.record(trace);
      } catch (RuntimeException e) {
        HttpEngine.LOG.warn("trace sink failed for {}", label(), e);
      }
    }
    engine.deliverTrace(trace);
  }

  @Override
  public String toString() {
    return "LogicalCall{" + label() + ", attempts=" + attempts + ", " + super.toString() + '}';
  }
}
