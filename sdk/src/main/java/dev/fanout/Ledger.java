package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.internal.CallScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.IntFunction;

/**
 * The one piece of a fan-out that decides: it settles each input exactly once and decides the fan-out's
 * result exactly once, whichever path gets there (an input's result, the deadline, a cancel, a throwing
 * callback). Every method holds this object's lock briefly and runs no user code (no task, no labeler, no
 * callback); what must be cancelled or delivered is handed back in a {@link Verdict} for the caller to act
 * on outside the lock.
 */
final class Ledger<T, R> {
  enum Mode {
    ALL,
    SETTLE,
    FIRST_SUCCESS,
    FIRST_K
  }

  /**
   * What a settle or a stop decided. {@code decided} is true for exactly one verdict per fan-out; it then
   * carries the result ({@code error}, else {@code value}), the inputs' futures and scopes to cancel, and
   * the outcomes given to the inputs that were still unsettled.
   */
  record Verdict<T, R>(
      boolean decided,
      Throwable error,
      R value,
      List<CompletableFuture<?>> toCancel,
      List<CallScope> scopesToCancel,
      String cancelReason,
      List<Outcome<T>> rest) {
    static <T, R> Verdict<T, R> notYet() {
      return new Verdict<>(false, null, null, List.of(), List.of(), null, List.of());
    }
  }

  /** A copy of the ledger's state for a report, taken under the lock. */
  record Snapshot(
      boolean decided,
      long decidedNanos,
      int peak,
      Outcome<?>[] outcomes,
      long[] startNanos,
      long[] endNanos,
      List<List<CallTrace>> traces) {}

  private final String combinator;
  private final Mode mode;
  private final int k;
  private final int n;
  private final Function<Ledger<T, R>, R> resultOf;

  // Guarded by this.
  private final Outcome<T>[] outcomes;
  private final CompletableFuture<?>[] running;
  private final CallScope[] scopes;
  private final List<CallTrace>[] traces;
  private final long[] startNanos;
  private final long[] endNanos;
  private final List<T> successesInOrder = new ArrayList<>();
  private int next;
  private int inFlight;
  private int peak;
  private int settled;
  private int failures;
  /** The fan-out's clock ({@link FanoutClock#nanoTime()}): every time the ledger records is its reading. */
  private final LongSupplier clock;
  private boolean decided;
  private long decidedNanos;

  @SuppressWarnings("unchecked")
  Ledger(String combinator, Mode mode, int k, int n, Function<Ledger<T, R>, R> resultOf, LongSupplier clock) {
    this.clock = clock;
    this.combinator = combinator;
    this.mode = mode;
    this.k = k;
    this.n = n;
    this.resultOf = resultOf;
    this.outcomes = new Outcome[n];
    this.running = new CompletableFuture<?>[n];
    this.scopes = new CallScope[n];
    this.traces = new List[n];
    this.startNanos = new long[n];
    this.endNanos = new long[n];
    Arrays.fill(startNanos, -1);
    Arrays.fill(endNanos, -1);
  }

  // Reading results (called by resultOf under the lock).

  List<T> valuesInInputOrder() {
    List<T> values = new ArrayList<>(n);
    for (Outcome<T> outcome : outcomes) {
      values.add(outcome.value());
    }
    return values;
  }

  List<Outcome<T>> outcomesInInputOrder() {
    return List.of(outcomes);
  }

  List<T> successesInCompletionOrder() {
    return new ArrayList<>(successesInOrder);
  }

  FirstK<T> firstK() {
    return FirstK.of(successesInOrder, k);
  }

  T firstSuccess() {
    return successesInOrder.get(0);
  }

  // Starting.

  /** Returns the next input to start, or -1 if none may start now (decided, none left, or at the bound). */
  synchronized int claimNext(int bound) {
    if (decided || next >= n || inFlight >= bound) {
      return -1;
    }
    int index = next++;
    inFlight++;
    peak = Math.max(peak, inFlight);
    startNanos[index] = clock.getAsLong();
    return index;
  }

  /** Records the scope of a started input; false if it was settled meanwhile (the caller cancels it). */
  synchronized boolean attachScope(int index, CallScope scope) {
    if (outcomes[index] != null) {
      return false;
    }
    scopes[index] = scope;
    return true;
  }

  /** Records the future of a started input; false if it was settled meanwhile (the caller cancels it). */
  synchronized boolean attachFuture(int index, CompletableFuture<?> future) {
    if (outcomes[index] != null) {
      return false;
    }
    running[index] = future;
    return true;
  }

  synchronized void trace(int index, CallTrace trace) {
    if (traces[index] == null) {
      traces[index] = new ArrayList<>(1);
    }
    traces[index].add(trace);
  }

  // Settling and deciding.

  /** Decides an empty fan-out. */
  synchronized R decideEmpty() {
    decided = true;
    decidedNanos = clock.getAsLong();
    return resultOf.apply(this);
  }

  /**
   * Settles input {@code index} with {@code outcome}; returns null if it was already settled (by the
   * deadline or a cancel), else a verdict, decided if this outcome decides the fan-out.
   */
  synchronized Verdict<T, R> settle(int index, Outcome<T> outcome) {
    if (outcomes[index] != null) {
      return null;
    }
    endNanos[index] = clock.getAsLong();
    running[index] = null;
    scopes[index] = null;
    inFlight--;
    outcomes[index] = outcome;
    settled++;
    if (outcome.isSuccess()) {
      successesInOrder.add(outcome.value());
    } else {
      failures++;
    }
    if (decided) {
      return Verdict.notYet();
    }
    Throwable error = null;
    boolean decideNow;
    switch (mode) {
      case ALL:
        decideNow = !outcome.isSuccess() || settled == n;
        error = outcome.isSuccess() ? null : outcome.error();
        break;
      case SETTLE:
        decideNow = settled == n;
        break;
      case FIRST_SUCCESS:
      case FIRST_K:
        int needed = mode == Mode.FIRST_K ? k : 1;
        if (successesInOrder.size() >= needed) {
          decideNow = true;
        } else if (n - failures < needed) {
          decideNow = true;
          error = notEnoughSuccesses(needed);
        } else {
          decideNow = false;
        }
        break;
      default:
        throw new AssertionError(mode);
    }
    if (!decideNow) {
      return Verdict.notYet();
    }
    String reason = error != null
        ? "cancelled: fan-out already failed: " + error
        : "cancelled: fan-out result already decided";
    return decide(unsettled -> new FanoutCancelledException(reason), error, true, reason);
  }

  /**
   * Decides the fan-out now, if nothing has (the deadline, a cancel, a throwing callback): every unsettled
   * input gets {@code restError}'s exception (given the number of unsettled inputs). The verdict's value
   * is the result over the settled outcomes if {@code withValue}, else its error is the rest's error.
   * Returns null if the fan-out was already decided.
   */
  synchronized Verdict<T, R> stop(IntFunction<FanoutException> restError, boolean withValue, String reason) {
    if (decided) {
      return null;
    }
    return decide(restError, null, withValue, reason);
  }

  /**
   * Decides the fan-out at its deadline, if nothing has: a settling fan-out succeeds with what finished,
   * a {@code firstK} that has at least one success succeeds with it (partial), any other fails with the
   * rest's error. Returns null if the fan-out was already decided.
   */
  synchronized Verdict<T, R> stopAtDeadline(IntFunction<FanoutException> restError, String reason) {
    boolean withValue = mode == Mode.SETTLE || (mode == Mode.FIRST_K && !successesInOrder.isEmpty());
    return stop(restError, withValue, reason);
  }

  private Verdict<T, R> decide(
      IntFunction<FanoutException> restError, Throwable error, boolean withValue, String reason) {
    decided = true;
    decidedNanos = clock.getAsLong();
    FanoutException rest = restError.apply(n - settled);
    List<CompletableFuture<?>> toCancel = new ArrayList<>();
    List<CallScope> scopesToCancel = new ArrayList<>();
    List<Outcome<T>> restOutcomes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (outcomes[i] != null) {
        continue;
      }
      Outcome<T> o = Outcome.failure(i, rest);
      outcomes[i] = o;
      restOutcomes.add(o);
      settled++;
      failures++;
      if (startNanos[i] >= 0) {
        endNanos[i] = decidedNanos;
        inFlight--;
      }
      if (running[i] != null) {
        toCancel.add(running[i]);
        running[i] = null;
      }
      if (scopes[i] != null) {
        scopesToCancel.add(scopes[i]);
        scopes[i] = null;
      }
    }
    next = n;
    Throwable verdictError = error != null ? error : withValue ? null : rest;
    R value = verdictError == null ? resultOf.apply(this) : null;
    return new Verdict<>(true, verdictError, value, toCancel, scopesToCancel, reason, restOutcomes);
  }

  private FanoutException notEnoughSuccesses(int needed) {
    FanoutException error = new FanoutException(String.format(
        "%s needed %d success(es) of %d inputs, but %d failed", combinator, needed, n, failures));
    for (Outcome<T> outcome : outcomes) {
      if (outcome != null && !outcome.isSuccess() && error.getSuppressed().length < 16) {
        error.addSuppressed(outcome.error());
      }
    }
    return error;
  }

  synchronized Snapshot snapshot() {
    List<List<CallTrace>> t = new ArrayList<>(n);
    for (List<CallTrace> list : traces) {
      t.add(list == null ? List.of() : List.copyOf(list));
    }
    return new Snapshot(decided, decidedNanos, peak, outcomes.clone(), startNanos.clone(), endNanos.clone(), t);
  }
}
