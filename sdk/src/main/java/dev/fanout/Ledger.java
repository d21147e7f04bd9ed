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

/**
 * The one piece of a fan-out or a scope that decides: it settles each input (or fork) exactly once and
 * decides the result exactly once, whichever path gets there (an input's result, the deadline, a cancel, a
 * throwing callback, a join). Every method holds this object's lock briefly and runs no user code (no task,
 * no labeler, no callback); what must be cancelled or delivered is handed back in a {@link Verdict} for the
 * caller to act on outside the lock.
 *
 * <p>A list fan-out knows its inputs up front (the ledger is <em>sealed</em> from the start). A scope's
 * ledger grows by {@link #add} as forks arrive and is sealed by the join: until then, settling every fork
 * does not decide it.
 */
final class Ledger<T, R> {
  enum Mode {
    /** Fails at the first failure; at the deadline fails with the rest's error. */
    ALL,
    /** Never fails on an input's failure; at the deadline succeeds with what finished. */
    SETTLE,
    /** Never fails on an input's failure; at the deadline fails with the rest's error. */
    SETTLE_OR_TIME_OUT,
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

  /** Builds the error given to every unsettled input when the ledger is decided without them. */
  @FunctionalInterface
  interface RestError {
    /** {@code unsettled}: the indexes not settled yet, in order. Runs under the lock: no user code. */
    FanoutException of(List<Integer> unsettled);
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
  private final Function<Ledger<T, R>, R> resultOf;

  // Guarded by this.
  private int n;
  private boolean sealed;
  private Outcome<T>[] outcomes;
  private CompletableFuture<?>[] running;
  private CallScope[] scopes;
  private List<CallTrace>[] traces;
  private long[] startNanos;
  private long[] endNanos;
  private final List<T> successesInOrder = new ArrayList<>();
  private int next;
  private int inFlight;
  private int peak;
  private int settled;
  private int failures;
  /** The run's clock ({@link FanoutClock#nanoTime()}): every time the ledger records is its reading. */
  private final LongSupplier clock;
  private boolean decided;
  private long decidedNanos;

  /** A sealed ledger of {@code n} inputs (a list fan-out). */
  Ledger(String combinator, Mode mode, int k, int n, Function<Ledger<T, R>, R> resultOf, LongSupplier clock) {
    this(combinator, mode, k, n, true, resultOf, clock);
  }

  /** An open ledger that grows by {@link #add} until {@link #seal} (a scope). */
  static <T, R> Ledger<T, R> open(
      String combinator, Mode mode, Function<Ledger<T, R>, R> resultOf, LongSupplier clock) {
    return new Ledger<>(combinator, mode, 0, 0, false, resultOf, clock);
  }

  @SuppressWarnings("unchecked")
  private Ledger(String combinator, Mode mode, int k, int n, boolean sealed, Function<Ledger<T, R>, R> resultOf,
      LongSupplier clock) {
    this.clock = clock;
    this.combinator = combinator;
    this.mode = mode;
    this.k = k;
    this.n = n;
    this.sealed = sealed;
    this.resultOf = resultOf;
    int capacity = Math.max(n, 4);
    this.outcomes = new Outcome[capacity];
    this.running = new CompletableFuture<?>[capacity];
    this.scopes = new CallScope[capacity];
    this.traces = new List[capacity];
    this.startNanos = new long[capacity];
    this.endNanos = new long[capacity];
    Arrays.fill(startNanos, -1);
    Arrays.fill(endNanos, -1);
  }

  /**
   * Adds one input to an open ledger and returns its index. If the ledger is already decided (a scope that
   * failed fast, passed its deadline or was cancelled), the input is settled at once with
   * {@code ifDecided} and never started; {@link #outcome} then returns it.
   */
  synchronized int add(FanoutException ifDecided) {
    if (sealed) {
      throw new IllegalStateException(combinator + " is sealed");
    }
    if (n == outcomes.length) {
      int capacity = outcomes.length * 2;
      outcomes = Arrays.copyOf(outcomes, capacity);
      running = Arrays.copyOf(running, capacity);
      scopes = Arrays.copyOf(scopes, capacity);
      traces = Arrays.copyOf(traces, capacity);
      startNanos = Arrays.copyOf(startNanos, capacity);
      endNanos = Arrays.copyOf(endNanos, capacity);
      Arrays.fill(startNanos, n, capacity, -1);
      Arrays.fill(endNanos, n, capacity, -1);
    }
    int index = n++;
    if (decided) {
      outcomes[index] = Outcome.failure(index, ifDecided);
      settled++;
      failures++;
      next = n;
    }
    return index;
  }

  /**
   * Seals an open ledger: no input is added after this, and it is decided once every input is settled.
   * Returns the deciding verdict if that is now, else null (already decided, or inputs still unsettled).
   */
  synchronized Verdict<T, R> seal() {
    if (sealed) {
      return null;
    }
    sealed = true;
    if (decided || settled < n) {
      return null;
    }
    return decide(unsettled -> new FanoutCancelledException("no input left"), null, true,
        "cancelled: result already decided");
  }

  /** Returns the outcome of input {@code index}, or null while it is unsettled. */
  synchronized Outcome<T> outcome(int index) {
    return index < n ? outcomes[index] : null;
  }

  /** Returns true once the result is decided. */
  synchronized boolean isDecided() {
    return decided;
  }

  // Reading results (called by resultOf under the lock).

  List<T> valuesInInputOrder() {
    List<T> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(outcomes[i].value());
    }
    return values;
  }

  List<Outcome<T>> outcomesInInputOrder() {
    return List.of(Arrays.copyOf(outcomes, n));
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
        decideNow = !outcome.isSuccess() || (sealed && settled == n);
        error = outcome.isSuccess() ? null : outcome.error();
        break;
      case SETTLE:
      case SETTLE_OR_TIME_OUT:
        decideNow = sealed && settled == n;
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
   * input gets {@code restError}'s exception (given the unsettled inputs' indexes). The verdict's value
   * is the result over the settled outcomes if {@code withValue}, else its error is the rest's error.
   * Returns null if the fan-out was already decided.
   */
  synchronized Verdict<T, R> stop(RestError restError, boolean withValue, String reason) {
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
  synchronized Verdict<T, R> stopAtDeadline(RestError restError, String reason) {
    boolean withValue = mode == Mode.SETTLE || (mode == Mode.FIRST_K && !successesInOrder.isEmpty());
    return stop(restError, withValue, reason);
  }

  private Verdict<T, R> decide(RestError restError, Throwable error, boolean withValue, String reason) {
    decided = true;
    decidedNanos = clock.getAsLong();
    List<Integer> unsettled = new ArrayList<>(n - settled);
    for (int i = 0; i < n; i++) {
      if (outcomes[i] == null) {
        unsettled.add(i);
      }
    }
    FanoutException rest = restError.of(unsettled);
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
    for (int i = 0; i < n; i++) {
      Outcome<T> outcome = outcomes[i];
      if (outcome != null && !outcome.isSuccess() && error.getSuppressed().length < 16) {
        error.addSuppressed(outcome.error());
      }
    }
    return error;
  }

  synchronized Snapshot snapshot() {
    List<List<CallTrace>> t = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      t.add(traces[i] == null ? List.of() : List.copyOf(traces[i]));
    }
    return new Snapshot(decided, decidedNanos, peak, Arrays.copyOf(outcomes, n), Arrays.copyOf(startNanos, n),
        Arrays.copyOf(endNanos, n), t);
  }
}
