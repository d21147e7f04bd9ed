package dev.fanout.internal;

import dev.fanout.FanoutContext;
import dev.fanout.FanoutClock;
import dev.fanout.Outcome;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.hedge.Hedger;
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
 * the handler run on the OkHttp thread for the winning request only). Each stage tells what happened to the
 * call's {@link CallEvents}, the one stream its trace, the client's stats and OpenTelemetry listen to.
 * Handlers see the call only as an {@link AttemptContext} ({@link HandlerContext}); its deadline is a
 * {@link CallDeadline}.
 *
 * <h2>Exactly one path finishes it.</h2>
 * A response, a final failure, the deadline timer, a cancel, or an outside completion: that path tells the
 * call's end to its events first (its trace recorded, so a fan-out that reacts to the completion already
 * sees it, and its telemetry ended), then completes the future, then
 * releases what is still running: the current {@link Call}, a pending admission or backoff, the deadline and
 * attempt timers. Attempts run one after another; each waits for the gate, then is enqueued and never waited
 * for, so no thread blocks on a call or a backoff. Every timer runs on the engine's {@link FanoutClock} (the
 * deadline's on the deadline's own clock).
 *
 * <h2>A hedge is not a retry.</h2>
 * An attempt of a hedgeable call may send backups of its request while its first request still runs, when the
 * engine's {@link Hedger} says one is due and its budget allows; each backup waits for the same gate and is
 * never sent while the client is at {@code maxInFlight}. Its attempt count counts attempts, not hedges; the
 * trace counts hedges sent and won.
 */
public final class LogicalCall<T> extends OwnedFuture<T> {

  /** Turns a successful (2xx) response into the call's value. Runs on an OkHttp thread; must not block on anything but the body. */
  @FunctionalInterface
  public interface Handler<T> {
    T handle(Response response, AttemptContext call) throws IOException;
  }

  private final HttpEngine engine;
  private final CallSpec<T> spec;
  private final Hedger hedger;
  private final CallDeadline deadline;
  private final CallEvents events;
  private final HandlerContext handlerContext;
  private final AtomicBoolean finished = new AtomicBoolean();
  /** Whether a request may still go to the network, and the attempt a finish cancels. */
  private final HandOffGuard handOff;

  private volatile int attempts;
  /** The request whose response the call reads: the attempt's first, or the hedge that won. */
  private volatile Call currentCall;
  private volatile CompletableFuture<?> pendingWait;
  /** The failure of the attempt a retry follows, for a retry the gate refuses. */
  private volatile FanoutException lastAttemptError;
  /** The failure the call finished with; null while it runs, or when it succeeded or was completed from outside. */
  private volatile Throwable finishedWith;

  LogicalCall(HttpEngine engine, CallSpec<T> spec, Hedger hedger) {
    this.engine = engine;
    this.spec = spec;
    this.hedger = hedger;
    this.deadline = new CallDeadline(spec.deadline(), spec.label());
    this.events = new CallEvents(engine.clock(), engine.telemetry(), spec.request(), spec.scope(),
        engine.hasTraceListener() ? engine::deliverTrace : null);
    this.handlerContext = new HandlerContext(spec.label(), events, this::cancelAttempt);
    this.handOff = new HandOffGuard(spec.scope(), engine, finished::get);
  }

  CallSpec<T> spec() {
    return spec;
  }

  HttpEngine engine() {
    return engine;
  }

  /** Returns the call's one event stream, which every stage tells what happened. */
  CallEvents events() {
    return events;
  }

  /** Returns the label used in traces and messages, such as {@code GET /users/7}. */
  String label() {
    return spec.label();
  }

  /** Returns what the call's handler sees of it. */
  HandlerContext handlerContext() {
    return handlerContext;
  }

  /** Cancels the request the call reads now, for its handler: its reader then fails. */
  private void cancelAttempt() {
    Call c = currentCall;
    if (c != null) {
      c.cancel();
    }
  }

  void start() {
    if (deadline.isExpired()) {
      finish(null, deadline.exceeded());
      return;
    }
    try {
      deadline.start(this::onDeadline);
    } catch (RuntimeException e) {
      finish(null, new FanoutCancelledException(label() + ": the clock refused the deadline timer", e));
      return;
    }
    if (isDone()) {
      deadline.cancel();
    }
    nextAttempt();
  }

  /**
   * Fails the call on the SDK's behalf (closed client, cancelled context) with a
   * {@link FanoutCancelledException} that says {@code why} and whether a request of it may have reached the
   * server; no request of it is sent after this returns.
   */
  void refuse(String why) {
    finish(null, new FanoutCancelledException(label() + ": " + why + (handOff.refuse()
        ? "; its request had been sent and may have reached the server"
        : "; its request was never sent")));
  }

  /**
   * A request of this call is about to go to the network (see {@link HandOff}): returns null to let it go, or
   * why it must not (the call finished, its context was cancelled, the client closed).
   */
  String handOff() {
    return handOff.pass();
  }

  /**
   * Why a request of this call that its finish cancelled ended: the call's own failure (its deadline), or, when
   * the call succeeded (another request answered) or its caller completed or cancelled it, a cancel.
   */
  Throwable cancelledBecause() {
    Throwable error = finishedWith;
    return error != null ? error : new FanoutCancelledException(label() + ": ended by its call, which was answered"
        + " by another request or completed by its caller");
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
    CallEvents.Leg leg = events.asking(attempt, 0);
    CompletableFuture<AttemptGate.Permit> admission;
    try {
      admission = engine.gate().acquire(spec.request(), attempt, gateDeadline());
    } catch (RuntimeException e) {
      leg.ended(e);
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
      send(attempt, admission.join(), leg); // the usual case: no continuation to allocate
      return;
    }
    admission.whenComplete((permit, refused) -> {
      if (refused != null) {
        if (!isDone()) {
          Throwable error = notAdmitted(attempt, Futures.unwrap(refused));
          leg.ended(error);
          finish(null, error);
        }
        return;
      }
      send(attempt, permit, leg);
    });
  }

  private Throwable notAdmitted(int attempt, Throwable cause) {
    FanoutException previous = lastAttemptError;
    if (cause instanceof FanoutTimeoutException && previous != null) {
      // A retry the governor cannot admit before the deadline (a 429's pause outlasts it): the
      // caller sees why the call needed a retry, as with a retry backoff past the deadline.
      return deadline.leavesNoTime(cause.getMessage(), attempt - 1, previous);
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
    int n = attempts;
    RetryDecision next = RetryDecision.after(spec.policy(), n, retryable, handlerContext.committed(), retryAfter,
        status, engine.gate().pacesRateLimits());
    HttpEngine.LOG.debug("{}: attempt {} failed{}: {}", label(), n, next.why(), error.getMessage());
    if (!next.retries()) {
      finish(null, error);
      return;
    }
    lastAttemptError = error;
    Duration wait = next.backoff();
    if (deadline.leavesNoTimeFor(wait)) {
      finish(null, deadline.leavesNoTime(wait.toMillis() + " ms retry backoff", n, error));
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
    return deadline.on(engine.clock());
  }

  private void send(int attempt, AttemptGate.Permit permit, CallEvents.Leg leg) {
    HedgeRace r = new HedgeRace(this, hedger, attempt);
    if (!handOff.register(r, this::ending)) {
      permit.onFailure(new FanoutCancelledException(label() + ": finished before attempt " + attempt));
      return;
    }
    attempts = attempt;
    r.start(permit, leg);
  }

  /** Returns the exchange of one of this call's requests: its handler is this call's. */
  Exchange<T> exchange(HedgeRace race, int leg, AttemptGate.Permit permit, CallEvents.Leg events, Call call) {
    return new Exchange<>(this, race, leg, permit, events, call);
  }

  /** {@code call} is the request the call reads now: an attempt's first, or the hedge that won its race. */
  void answeredBy(Call call) {
    currentCall = call;
  }


  // ---- the single finish: record, complete, release ----

  private void onDeadline() {
    if (!isDone()) {
      finish(null, deadline.exceeded());
    }
  }

  boolean finish(T value, Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    if (error instanceof FanoutException && attempts > 0) {
      ((FanoutException) error).setAttempts(attempts);
    }
    finishedWith = error;
    events.ended(label(), attempts, error, handlerContext.genAiResponse());
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
    events.ended(label(), attempts,
        new FanoutCancelledException(label() + " was completed or cancelled by its caller"), null);
    boolean changed = completion.getAsBoolean();
    release(true);
    return changed;
  }

  private void release(boolean cancelCall) {
    engine.finished(this);
    deadline.cancel();
    CompletableFuture<?> w = pendingWait;
    if (w != null && !w.isDone()) {
      w.cancel(false);
    }
    HedgeRace r = handOff.race(); // finished is set: no race is registered after this read
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

  @Override
  public String toString() {
    return "LogicalCall{" + label() + ", attempts=" + attempts + ", " + super.toString() + '}';
  }
}
