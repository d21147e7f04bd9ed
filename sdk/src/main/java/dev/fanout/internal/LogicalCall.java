package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.Deadline;
import dev.fanout.FanoutClock;
import dev.fanout.FanoutContext;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.TransportException;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.internal.telemetry.Telemetry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private volatile CompletableFuture<?> pendingWait;
  private volatile FanoutClock.Timer deadlineTimer;
  private volatile FanoutClock.Timer attemptTimer;
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
    long waited = permit.waited().toNanos();
    governorWaitNanos += waited;
    if (waited > 0) {
      telemetry.governorWait(permit.waited());
    }
    if (scope != null) {
      scope.admittedTo(permit.bucket());
    }
    firstByteNanos = -1;
    connectedNanos = -1;
    statusCode = -1;
    Telemetry.AttemptScope span = telemetry.attemptStarted(attempt);
    Request.Builder tagged = request.newBuilder().tag(LogicalCall.class, this);
    span.inject(tagged);
    Call call = engine.okHttp().newCall(tagged.build());
    currentCall = call;
    AttemptCallback callback = new AttemptCallback(attempt, permit, span);
    Duration perAttempt = engine.attemptTimeout();
    if (!perAttempt.isZero()) {
      try {
        attemptTimer = engine.clock().schedule(perAttempt, () -> callback.timeOut(call));
      } catch (RuntimeException e) {
        permit.onFailure(e);
        span.ended(e);
        finish(null, new FanoutCancelledException(label + ": the clock refused the attempt timer", e));
        return;
      }
    }
    if (isDone()) {
      call.cancel();
      FanoutCancelledException never = new FanoutCancelledException(
          label + ": finished before attempt " + attempt + " was sent");
      permit.onFailure(never); // never enqueued, so no callback will report it
      span.ended(never);
      return;
    }
    engine.attemptSent();
    call.enqueue(callback);
  }

  /** The first attempt's start is when it leaves the dispatcher's queue; later attempts keep that start. */
  void onAttemptStart(long nanos) {
    if (attempts == 1 || startNanos == -1) {
      startNanos = nanos;
    }
  }

  private final class AttemptCallback implements Callback {
    private final int attempt;
    private final AttemptGate.Permit permit;
    private final Telemetry.AttemptScope span;
    private volatile boolean timedOut;
    private final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

    AttemptCallback(int attempt, AttemptGate.Permit permit, Telemetry.AttemptScope span) {
      this.attempt = attempt;
      this.permit = permit;
      this.span = span;
    }

    /** Counts this attempt out of the engine's in flight, once, before its outcome can start another call. */
    private void end() {
      if (ended.compareAndSet(false, true)) {
        engine.attemptEnded();
      }
    }

    void timeOut(Call call) {
      timedOut = true;
      call.cancel();
    }

    @Override
    public void onFailure(Call call, IOException e) {
      cancelAttemptTimer();
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
      attemptFailed(error, policy.retriesError(error), null);
    }

    @Override
    public void onResponse(Call call, Response response) {
      cancelAttemptTimer();
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
        statusCode = code;
        if (!response.isSuccessful()) {
          Duration retryAfter = dev.fanout.internal.governor.RateLimitHeaders
              .retryAfter(response.headers(), engine.clock()).orElse(null);
          boolean retryable = policy.retriesResponse(code, response.header("x-should-retry"));
          FanoutException error = Errors.fromResponse(response, retryAfter);
          end();
          attemptFailed(error, retryable, retryAfter);
          return;
        }
        T value = handler.handle(response, LogicalCall.this);
        reportUsage(permit);
        end();
        span.ended(null);
        finish(value, null);
      } catch (IOException e) {
        end();
        attemptError = e;
        if (!isDone()) {
          TransportException error = transport(e);
          attemptFailed(error, policy.retriesError(error), null);
        }
      } catch (FanoutException e) {
        end();
        attemptError = e;
        finish(null, e);
      } catch (RuntimeException e) {
        end();
        attemptError = e;
        finish(null, new DecodeException(label + ": " + e, e));
      } finally {
        end();
        // ended once: a success ended it above; later calls are ignored
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

  private void cancelAttemptTimer() {
    FanoutClock.Timer t = attemptTimer;
    if (t != null) {
      t.cancel();
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
    cancelAttemptTimer();
    CompletableFuture<?> w = pendingWait;
    if (w != null && !w.isDone()) {
      w.cancel(false);
    }
    Call call = currentCall;
    if (cancelCall && call != null) {
      call.cancel();
    }
  }

  private void deliverTrace(Outcome.Kind outcome, Class<? extends Throwable> errorType) {
    long end = System.nanoTime();
    long start = startNanos == -1 ? end : startNanos;
    CallTrace trace = new CallTrace(
        label, queuedNanos, start, connectedNanos, firstByteNanos, end, attempts, statusCode, outcome,
        outcome == Outcome.Kind.SUCCEEDED ? null : errorType, governorWaitNanos);
    if (scope != null) {
      try {
        scope.record(trace);
      } catch (RuntimeException e) {
        HttpEngine.LOG.warn("trace sink failed for {}", label, e);
      }
    }
    engine.deliverTrace(trace);
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
