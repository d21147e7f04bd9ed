package dev.fanout;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.internal.Checks;
import dev.fanout.internal.Futures;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A structured scope for one request's mixed calls: each {@link #fork fork} starts a piece of asynchronous
 * work of its own type and returns a typed {@link Handle}; {@link #join()} waits as the scope's
 * {@link Policy} says; {@link #close()} cancels what still runs. Opened by {@link Fanout#scope}.
 *
 * <pre>{@code
 * try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.UNTIL_DEADLINE,
 *     FanoutOptions.builder().timeout(Duration.ofSeconds(1)).build())) {
 *   FanoutScope.Handle<User> user = scope.fork("profile", ctx -> client.users().withContext(ctx).getAsync(7));
 *   FanoutScope.Handle<EmbeddingResponse> question =
 *       scope.fork("embed", ctx -> client.embeddings().withContext(ctx).createAsync(request));
 *   scope.join();
 *   answer(user.get(), question.get());
 * }
 * }</pre>
 *
 * <h2>A fork's calls are bound to the scope.</h2>
 * Each fork gets its own {@link FanoutContext}: calls made through it from any thread share the scope's
 * deadline, are traced into the fork's entry of the {@link #report()}, and are cancelled down to the socket
 * when the scope cancels the fork (its policy decided without it, the deadline passed, or the scope was
 * closed or cancelled). A scope or fan-out started inside a fork (through the fork's context, or on the
 * thread running the fork's work) keeps the earlier of its own deadline and the scope's and is cancelled
 * with the fork. The fork's work runs on the thread calling {@code fork} and must not block.
 *
 * <h2>The scope must be joined, then closed.</h2>
 * Read a handle only after {@link #join()} (or once {@link #joinAsync()} completes): before that it throws
 * {@link IllegalStateException} naming the fork. Forking after {@code join} or {@code close} throws the
 * same. {@code close()} (try-with-resources) cancels every fork still running, also if the scope was never
 * joined; once it returns, no call of the scope writes to the network.
 *
 * <p>The scope's deadline timer runs on {@link FanoutOptions#clock()}, else the enclosing context's clock,
 * else {@link FanoutClock#system()}. Thread-safe: forks may be made from any thread.
 */
public final class FanoutScope implements AutoCloseable {
  /** How {@link #join()} decides. */
  public enum Policy {
    /**
     * The first failing fork fails the scope and cancels every other fork, like asyncio's
     * {@code TaskGroup}; {@code join} throws that failure. When the deadline passes first, {@code join}
     * throws {@link dev.fanout.errors.FanoutTimeoutException} naming the late forks, which are cancelled.
     */
    FAIL_FAST,
    /**
     * Waits for every fork; a failing fork does not stop the others and {@code join} does not throw for
     * it: each handle holds its {@link Outcome}. When the deadline passes first, the late forks are
     * cancelled and {@code join} throws {@link dev.fanout.errors.FanoutTimeoutException} naming them (the
     * finished forks' handles stay readable).
     */
    SETTLE_ALL,
    /**
     * Takes what arrived by the deadline: waits for every fork, or until the deadline, whichever comes
     * first; then cancels the late forks, whose handles hold a timed-out {@link Outcome} and are named by
     * {@link #late()}. {@code join} does not throw for a fork's failure or lateness.
     */
    UNTIL_DEADLINE
  }

  /** The policy of {@link Fanout#scope} when none is given: {@link Policy#FAIL_FAST}. */
  public static final Policy DEFAULT_POLICY = Policy.FAIL_FAST;

  private final Policy policy;
  private final FanoutRun<Fork<?>, Object, Void> run;
  private final Object stateLock = new Object();
  private boolean joined; // guarded by stateLock
  private boolean closed; // guarded by stateLock

  private FanoutScope(Policy policy, FanoutRun<Fork<?>, Object, Void> run) {
    this.policy = policy;
    this.run = run;
  }

  static FanoutScope open(Policy policy, FanoutOptions options) {
    Objects.requireNonNull(policy, "policy == null");
    Objects.requireNonNull(options, "options == null");
    Ledger.Mode mode = switch (policy) {
      case FAIL_FAST -> Ledger.Mode.ALL;
      case SETTLE_ALL -> Ledger.Mode.SETTLE_OR_TIME_OUT;
      case UNTIL_DEADLINE -> Ledger.Mode.SETTLE;
    };
    FanoutOptions forks = options.newBuilder().labeler(String::valueOf).build();
    FanoutRun<Fork<?>, Object, Void> run = FanoutRun.open("scope", (fork, context) -> fork.start(context), forks,
        mode, ledger -> null);
    run.start();
    return new FanoutScope(policy, run);
  }

  /**
   * Starts {@code work} now, with this fork's {@link FanoutContext}, and returns its handle. The work is any
   * asynchronous step: a call through the context ({@code ctx -> client.users().withContext(ctx).getAsync(7)}),
   * any {@link CompletionStage}, or a scope or fan-out of its own (given {@code ctx} through
   * {@link FanoutOptions.Builder#context}). It must not block. If the scope was already decided (it failed
   * fast, its deadline passed, or it was cancelled), the work is not started and the handle holds a
   * cancelled outcome.
   *
   * @param label names the fork in its handle's errors and in the {@link #report()}
   * @throws IllegalStateException naming the fork, if the scope was already joined or closed
   */
  public <T> Handle<T> fork(String label, Function<FanoutContext, ? extends CompletionStage<T>> work) {
    Checks.notBlank(label, "label");
    Objects.requireNonNull(work, "work == null");
    Fork<T> fork = new Fork<>(label, work);
    int index;
    synchronized (stateLock) {
      if (closed) {
        throw new IllegalStateException("fork \"" + label + "\": the scope is closed");
      }
      if (joined) {
        throw new IllegalStateException("fork \"" + label + "\": the scope was already joined");
      }
      index = run.add(fork); // runs no user code
    }
    run.startPending(); // the work runs here, outside the lock
    return new Handle<>(this, fork, index);
  }

  /**
   * Waits for the forks as the {@link Policy} says and returns; after it, every handle is readable. Throws
   * the first failure under {@link Policy#FAIL_FAST}, a {@link dev.fanout.errors.FanoutTimeoutException}
   * naming the late forks when the deadline passes under {@link Policy#FAIL_FAST} or
   * {@link Policy#SETTLE_ALL}, and {@link FanoutCancelledException} if the scope was closed or cancelled.
   * An interrupt cancels the scope, restores the thread's interrupt flag and throws
   * {@link FanoutCancelledException}. No fork may be made after {@code join}; calling it again returns
   * (or throws) the same.
   */
  public void join() {
    joinAsync().await();
  }

  /**
   * The asynchronous {@link #join()}: seals the scope (no fork after it) and returns a future that
   * completes as {@code join} would return or throw. Cancelling the future, or completing it from outside,
   * cancels every fork still running. Its {@link FanoutFuture#report()} is {@link #report()}.
   */
  public FanoutFuture<Void> joinAsync() {
    synchronized (stateLock) {
      if (!joined) {
        joined = true;
        run.seal();
      }
    }
    return run.result();
  }

  /**
   * Returns the labels of the forks the scope's deadline cut off (cancelled and timed out), in fork order;
   * a fork that failed with a nested scope's or call's own timeout is not late.
   *
   * @throws IllegalStateException if the scope was not joined yet
   */
  public List<String> late() {
    checkJoined("late()");
    List<String> late = new ArrayList<>();
    for (int i = 0; run.outcome(i) != null; i++) {
      if (run.cutOffByDeadline(i)) {
        late.add(run.input(i).toString());
      }
    }
    return late;
  }

  /** Returns the policy {@link #join()} follows. */
  public Policy policy() {
    return policy;
  }

  /** Returns the deadline the forks share: the earlier of the scope's own and the enclosing context's. */
  public Deadline deadline() {
    return run.deadline();
  }

  /**
   * Returns what the scope did, one entry per fork in fork order (its label, when it started and ended,
   * its calls and their attempts, its outcome): it counts a fork's calls, a retried call once. Final once
   * the scope is joined and its forks settled; a snapshot before.
   */
  public FanoutReport report() {
    return run.report();
  }

  /**
   * Cancels every fork still running (down to its HTTP calls) and refuses later forks. Harmless after a
   * join that settled everything, and idempotent.
   */
  @Override
  public void close() {
    synchronized (stateLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    run.cancel("cancelled: the scope was closed");
  }

  private void checkJoined(String what) {
    boolean ready;
    synchronized (stateLock) {
      ready = joined && run.result().isDone();
    }
    if (!ready) {
      throw new IllegalStateException(what + " read before the scope's join");
    }
  }

  @Override
  public String toString() {
    return "FanoutScope{" + policy + ", " + run.deadline() + '}';
  }

  /** One fork's label and work; its {@code toString} is its label. */
  private static final class Fork<T> {
    private final String label;
    private final Function<FanoutContext, ? extends CompletionStage<T>> work;

    Fork(String label, Function<FanoutContext, ? extends CompletionStage<T>> work) {
      this.label = label;
      this.work = work;
    }

    @SuppressWarnings("unchecked")
    CompletionStage<Object> start(FanoutContext context) {
      return (CompletionStage<Object>) work.apply(context);
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * The pending result of one fork, typed as its work: readable once the scope is joined.
   *
   * <h2>A handle is read after the join.</h2>
   * {@link #get()} and {@link #outcome()} throw {@link IllegalStateException} naming the fork until the
   * scope's {@link FanoutScope#join()} has returned (or {@link FanoutScope#joinAsync()} completed).
   */
  public static final class Handle<T> {
    private final FanoutScope scope;
    private final Fork<T> fork;
    private final int index;

    private Handle(FanoutScope scope, Fork<T> fork, int index) {
      this.scope = scope;
      this.fork = fork;
      this.index = index;
    }

    /** Returns the fork's label. */
    public String label() {
      return fork.label;
    }

    /**
     * Returns the fork's value, or throws its failure: what the work failed with (unwrapped, as
     * {@link FanoutFuture#await()} does), a {@link dev.fanout.errors.FanoutTimeoutException} if the deadline
     * cut it off, a {@link FanoutCancelledException} if the scope cancelled it.
     *
     * @throws IllegalStateException naming the fork, if read before the scope's join
     */
    public T get() {
      Outcome<T> outcome = outcome();
      if (outcome.isSuccess()) {
        return outcome.value();
      }
      throw Futures.rethrowable(outcome.error());
    }

    /**
     * Returns how the fork ended: a success with its value, or a failure (failed, timed out, cancelled); its
     * {@link Outcome#index()} is the fork's place in fork order.
     *
     * @throws IllegalStateException naming the fork, if read before the scope's join
     */
    @SuppressWarnings("unchecked")
    public Outcome<T> outcome() {
      scope.checkJoined("fork \"" + fork.label + "\"");
      Outcome<Object> outcome = scope.run.outcome(index);
      if (outcome == null) {
        // Joined and decided, so every fork is settled; the ledger settles before it decides.
        throw new IllegalStateException("fork \"" + fork.label + "\" is not settled");
      }
      return (Outcome<T>) (Outcome<?>) outcome;
    }

    /** Returns how the fork ended so far: {@link Outcome.Kind#RUNNING} until it is settled. Never throws. */
    public Outcome.Kind kind() {
      Outcome<Object> outcome = scope.run.outcome(index);
      return outcome == null ? Outcome.Kind.RUNNING : outcome.kind();
    }

    @Override
    public String toString() {
      return "Handle{" + fork.label + ", " + kind() + '}';
    }
  }
}
