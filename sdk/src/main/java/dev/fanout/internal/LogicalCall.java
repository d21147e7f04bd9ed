package dev.fanout.internal;

import dev.fanout.CallTrace;
import dev.fanout.Deadline;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.RetriesExhaustedException;
import dev.fanout.errors.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One logical call: its attempts, the backoffs between them, its deadline and its trace, behind the
 * {@link CompletableFuture} the caller holds.
 *
 * <p>Exactly one path finishes it (a response, a final failure, the deadline timer, a cancel, or an
 * external {@code complete}); that path records the trace first (so a fan-out that reacts to the
 * completion already sees it), then completes the future, then releases what is still running: the
 * current {@link Call}, a pending backoff, the deadline timer. Attempts run one after another; each is
 * enqueued and never waited for, so no thread blocks on a call or a backoff.
 */
public final class LogicalCall<T> extends CompletableFuture<T> {

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
  private final CallScope scope;
  private final long queuedNanos = System.nanoTime();
  private final AtomicBoolean finished = new AtomicBoolean();

  private volatile int attempts;
  private volatile Call currentCall;
  private volatile CompletableFuture<Void> pendingWait;
  private volatile ScheduledFuture<?> deadlineTimer;
  private volatile boolean committed;

  volatile long startNanos = -1;
  volatile long connectedNanos = -1;
  volatile long firstByteNanos = -1;
  volatile int statusCode = -1;

  LogicalCall(HttpEngine engine, Request request, String label, Handler<T> handler, Deadline deadline, CallScope scope) {
    this.engine = engine;
    this.request = request;
    this.label = label;
    this.handler = handler;
    this.deadline = deadline;
    this.budget = deadline.isNone() ? null : deadline.remaining();
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

  void start() {
    if (deadline.isExpired()) {
      finish(null, deadlineExceeded());
      return;
    }
    if (!deadline.isNone()) {
      try {
        ScheduledFuture<?> timer =
            engine.scheduler().schedule(this::onDeadline, deadline.remainingNanos(), TimeUnit.NANOSECONDS);
        deadlineTimer = timer;
        if (isDone()) {
          timer.cancel(false);
        }
      } catch (RejectedExecutionException e) {
        finish(null, new FanoutCancelledException(label + ": the client is closed", e));
        return;
      }
    }
    nextAttempt();
  }

  private void nextAttempt() {
    if (isDone()) {
      return;
    }
    attempts++;
    firstByteNanos = -1;
    connectedNanos = -1;
    statusCode = -1;
    Request tagged = request.newBuilder().tag(LogicalCall.class, this).build();
    Call call = engine.okHttp().newCall(tagged);
    currentCall = call;
    if (isDone()) {
      call.cancel();
      return;
    }
    call.enqueue(new AttemptCallback());
  }

  void onAttemptStart(long nanos) {
    if (attempts == 1) {
      startNanos = nanos;
    } else if (startNanos == -1) {
      startNanos = nanos;
    }
  }

  private final class AttemptCallback implements Callback {
    @Override
    public void onFailure(Call call, IOException e) {
      if (isDone()) {
        return;
      }
      attemptFailed(transport(e), isTransient(e), null);
    }

    @Override
    public void onResponse(Call call, Response response) {
      try (response) {
        if (isDone()) {
          return;
        }
        int code = response.code();
        statusCode = code;
        if (!response.isSuccessful()) {
          boolean retryable = code == 408 || code == 429 || (code >= 500 && code <= 599);
          Duration retryAfter = RetryAfter.parse(response.headers(), engine.clock());
          attemptFailed(Errors.fromResponse(response, engine.clock()), retryable, retryAfter);
          return;
        }
        T value = handler.handle(response, LogicalCall.this);
        finish(value, null);
      } catch (IOException e) {
        if (!isDone()) {
          attemptFailed(transport(e), isTransient(e), null);
        }
      } catch (FanoutException e) {
        finish(null, e);
      } catch (RuntimeException e) {
        finish(null, new DecodeException(label + ": " + e, e));
      }
    }
  }

  private void attemptFailed(FanoutException error, boolean retryable, Duration retryAfter) {
    if (!retryable || committed) {
      finish(null, error);
      return;
    }
    int n = attempts;
    int max = engine.retryPolicy().maxAttempts();
    if (n >= max) {
      finish(null, n == 1 ? error
          : new RetriesExhaustedException(
              label + ": gave up after " + n + " attempts: " + error.getMessage(), n, error));
      return;
    }
    Duration wait = engine.retryPolicy().backoff(n, retryAfter);
    if (!deadline.isNone() && wait.toNanos() >= deadline.remainingNanos()) {
      finish(null, new FanoutTimeoutException(
          label + ": deadline (" + budget.toMillis() + " ms) leaves no time for the " + wait.toMillis()
              + " ms retry backoff after attempt " + n + ": " + error.getMessage(),
          budget, error));
      return;
    }
    CompletableFuture<Void> w;
    try {
      w = engine.sleeper().sleep(wait);
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
    deliverTrace(error == null ? "ok" : error.getClass().getSimpleName());
    // Completing inside the scope lets continuations that run now (a thenCompose that makes the next call
    // of a chain) inherit the fan-out's deadline, trace sink and cancellation.
    Supplier<Boolean> completion =
        () -> error == null ? super.complete(value) : super.completeExceptionally(error);
    boolean changed = scope == null ? completion.get() : scope.run(completion);
    release(error != null);
    return changed;
  }

  /** Cancels the HTTP call and any pending retry wait; the future completes with {@link java.util.concurrent.CancellationException}. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    if (!finished.compareAndSet(false, true)) {
      return isCancelled();
    }
    deliverTrace(FanoutCancelledException.class.getSimpleName());
    boolean changed = super.cancel(mayInterruptIfRunning);
    release(true);
    return changed;
  }

  /** Completes the call with {@code value} from outside, cancelling the HTTP call still running. */
  @Override
  public boolean complete(T value) {
    if (!finished.compareAndSet(false, true)) {
      return false;
    }
    deliverTrace("ok");
    boolean changed = super.complete(value);
    release(true);
    return changed;
  }

  /** Fails the call with {@code ex} from outside, cancelling the HTTP call still running. */
  @Override
  public boolean completeExceptionally(Throwable ex) {
    return finish(null, ex);
  }

  /** Derived stages are plain futures: cancelling them does not reach this call (use {@link CallScope#track}). */
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  private void release(boolean cancelCall) {
    engine.finished(this);
    ScheduledFuture<?> timer = deadlineTimer;
    if (timer != null) {
      timer.cancel(false);
    }
    CompletableFuture<Void> w = pendingWait;
    if (w != null && !w.isDone()) {
      w.cancel(false);
    }
    Call call = currentCall;
    if (cancelCall && call != null) {
      call.cancel();
    }
  }

  private void deliverTrace(String outcome) {
    long end = System.nanoTime();
    long start = startNanos == -1 ? end : startNanos;
    CallTrace trace = new CallTrace(
        label, queuedNanos, start, connectedNanos, firstByteNanos, end, attempts, statusCode, outcome);
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
   * A redirect loop (OkHttp gives up after 20 follow-ups) would only repeat: it is final. Every other I/O
   * failure (refused, reset, timed out, cut short, including OkHttp's {@code ProtocolException} for a body
   * that ends early) is worth another attempt.
   */
  private static boolean isTransient(IOException e) {
    String m = e.getMessage();
    return !(e instanceof java.net.ProtocolException && m != null && m.startsWith("Too many follow-up requests"));
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
