package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.internal.CallScope;
import java.util.ArrayList;
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
 * <p>Each input is a {@link RunSlot}, settled and counted ({@link OutcomeCounts}) as a stream's inputs are;
 * what a ledger adds is the decision over them all, which is why it keeps every input's slot.
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
   * carries the result ({@code error}, else {@code value}), what the inputs still running must release, and
   * the outcomes given to the inputs that were still unsettled.
   */
  record Verdict<T, R>(
      boolean decided,
      Throwable error,
      R value,
      RunSlot.Release release,
      String cancelReason,
      List<Outcome<T>> rest) {
    static <T, R> Verdict<T, R> notYet() {
      return new Verdict<>(false, null, null, RunSlot.Release.none(), null, List.of());
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
  private final List<RunSlot<T>> slots;
  private final List<List<CallTrace>> traces;
  private final OutcomeCounts counts = new OutcomeCounts();
  private final List<T> successesInOrder = new ArrayList<>();
  private int next;
  private int inFlight;
  private int peak;
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

  private Ledger(String combinator, Mode mode, int k, int n, boolean sealed, Function<Ledger<T, R>, R> resultOf,
      LongSupplier clock) {
    this.clock = clock;
    this.combinator = combinator;
    this.mode = mode;
    this.k = k;
    this.n = n;
    this.sealed = sealed;
    this.resultOf = resultOf;
    this.slots = new ArrayList<>(Math.max(n, 4));
    this.traces = new ArrayList<>(Math.max(n, 4));
    for (int i = 0; i < n; i++) {
      slots.add(new RunSlot<>(i));
      traces.add(null);
    }
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
    int index = n++;
    RunSlot<T> slot = new RunSlot<>(index);
    slots.add(slot);
    traces.add(null);
    if (decided) {
      settleCounted(slot, Outcome.failure(index, ifDecided), clock.getAsLong(), null);
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
    if (decided || counts.settled() < n) {
      return null;
    }
    return decide(unsettled -> new FanoutCancelledException("no input left"), null, true,
        "cancelled: result already decided");
  }

  /** Returns the outcome of input {@code index}, or null while it is unsettled. */
  synchronized Outcome<T> outcome(int index) {
    return index < n ? slots.get(index).outcome() : null;
  }

  /** How the settled inputs ended so far, copied. */
  synchronized OutcomeCounts counts() {
    return counts.copy();
  }

  /** Returns true once the result is decided. */
  synchronized boolean isDecided() {
    return decided;
  }

  // Reading results (called by resultOf under the lock).

  List<T> valuesInInputOrder() {
    List<T> values = new ArrayList<>(n);
    for (RunSlot<T> slot : slots) {
      values.add(slot.outcome().value());
    }
    return values;
  }

  List<Outcome<T>> outcomesInInputOrder() {
    List<Outcome<T>> outcomes = new ArrayList<>(n);
    for (RunSlot<T> slot : slots) {
      outcomes.add(slot.outcome());
    }
    return List.copyOf(outcomes);
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
    slots.get(index).start(clock.getAsLong());
    return index;
  }

  /** Records the scope of a started input; false if it was settled meanwhile (the caller cancels it). */
  synchronized boolean attachScope(int index, CallScope scope) {
    return slots.get(index).attach(scope);
  }

  /** Records the future of a started input; false if it was settled meanwhile (the caller cancels it). */
  synchronized boolean attachFuture(int index, CompletableFuture<?> future) {
    return slots.get(index).attach(future);
  }

  synchronized void trace(int index, CallTrace trace) {
    List<CallTrace> t = traces.get(index);
    if (t == null) {
      t = new ArrayList<>(1);
      traces.set(index, t);
    }
    t.add(trace);
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
    if (!settleCounted(slots.get(index), outcome, clock.getAsLong(), null)) {
      return null;
    }
    if (outcome.isSuccess()) {
      successesInOrder.add(outcome.value());
    }
    if (decided) {
      return Verdict.notYet();
    }
    Throwable error = null;
    boolean decideNow;
    switch (mode) {
      case ALL:
        decideNow = !outcome.isSuccess() || (sealed && counts.settled() == n);
        error = outcome.isSuccess() ? null : outcome.error();
        break;
      case SETTLE:
      case SETTLE_OR_TIME_OUT:
        decideNow = sealed && counts.settled() == n;
        break;
      case FIRST_SUCCESS:
      case FIRST_K:
        int needed = mode == Mode.FIRST_K ? k : 1;
        if (successesInOrder.size() >= needed) {
          decideNow = true;
        } else if (n - counts.unsucceeded() < needed) {
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
    List<Integer> unsettled = new ArrayList<>((int) (n - counts.settled()));
    for (RunSlot<T> slot : slots) {
      if (!slot.isSettled()) {
        unsettled.add((int) slot.index);
      }
    }
    FanoutException rest = restError.of(unsettled);
    RunSlot.Releaser releaser = new RunSlot.Releaser();
    List<Outcome<T>> restOutcomes = new ArrayList<>(unsettled.size());
    for (int i : unsettled) {
      Outcome<T> o = Outcome.failure(i, rest);
      settleCounted(slots.get(i), o, decidedNanos, releaser);
      restOutcomes.add(o);
    }
    next = n;
    Throwable verdictError = error != null ? error : withValue ? null : rest;
    R value = verdictError == null ? resultOf.apply(this) : null;
    return new Verdict<>(true, verdictError, value, releaser.release(), reason, restOutcomes);
  }

  /** Settles {@code slot} and counts it, unless it is settled already; an input that had started leaves the bound. */
  private boolean settleCounted(RunSlot<T> slot, Outcome<T> outcome, long now, RunSlot.Releaser releaser) {
    if (!slot.settle(outcome, now, releaser)) {
      return false;
    }
    counts.count(outcome.kind());
    if (slot.startNanos() >= 0) {
      inFlight--;
    }
    return true;
  }

  private FanoutException notEnoughSuccesses(int needed) {
    FanoutException error = new FanoutException(String.format(
        "%s needed %d success(es) of %d inputs, but %d failed", combinator, needed, n, counts.unsucceeded()));
    for (RunSlot<T> slot : slots) {
      Outcome<T> outcome = slot.outcome();
      if (outcome != null && !outcome.isSuccess() && error.getSuppressed().length < 16) {
        error.addSuppressed(outcome.error());
      }
    }
    return error;
  }

  synchronized Snapshot snapshot() {
    Outcome<?>[] outcomes = new Outcome<?>[n];
    long[] startNanos = new long[n];
    long[] endNanos = new long[n];
    List<List<CallTrace>> t = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      RunSlot<T> slot = slots.get(i);
      outcomes[i] = slot.outcome();
      startNanos[i] = slot.startNanos();
      endNanos[i] = slot.endNanos();
      t.add(traces.get(i) == null ? List.of() : List.copyOf(traces.get(i)));
    }
    return new Snapshot(decided, decidedNanos, peak, outcomes, startNanos, endNanos, t);
  }
}
