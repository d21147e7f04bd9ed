package dev.fanout.internal;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.internal.hedge.Hedger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Request;

/**
 * One attempt of a call: it sends its first request and, when the {@link Hedger} says one is due and its
 * budget allows, its hedges (each admitted by the gate like any request, never sent while the client is at
 * {@code maxInFlight}), and holds its ticket with the hedger. Decides,
 * once, which request's response the attempt takes (the first 2xx headers; every other request is then
 * cancelled at once and its body, if it got one, closed unread) or that it failed (when no request is left:
 * a request that fails while another still runs is dropped). This is the one hedge race of the SDK.
 */
final class HedgeRace {
  final int attempt;
  private final LogicalCall<?> owner;
  private final Hedger hedger;
  // Guarded by this.
  private final List<Exchange<?>> requests = new ArrayList<>(2);
  private final List<CompletableFuture<?>> pending = new ArrayList<>(1);
  /** Requests sent whose outcome is not known, and hedges waiting for admission. */
  private int running;
  private boolean over;
  private FanoutException dropped;
  private boolean droppedRetryable;
  private Duration droppedRetryAfter;
  private int droppedStatus = -1;
  private Hedger.Ticket ticket = Hedger.Ticket.NONE;

  HedgeRace(LogicalCall<?> owner, Hedger hedger, int attempt) {
    this.owner = owner;
    this.hedger = hedger;
    this.attempt = attempt;
  }

  /**
   * Sends this attempt's first request with {@code permit} and, if the call may be hedged, opens its
   * ticket with the hedger, which asks for each backup when it is due.
   */
  void start(AttemptGate.Permit permit, CallEvents.Leg first) {
    if (!sendRequest(0, permit, false, first)) {
      return;
    }
    CallSpec<?> spec = owner.spec();
    if (spec.hedging().enabled()) {
      ticket(hedger.open(spec.route(), spec.request().method(), spec.idempotent(), spec.hedging(), attempt,
          this::hedge));
    }
  }

  /**
   * Sends request {@code leg} of this attempt (0 is its first, 1.. its hedges); returns false if it
   * was not sent (the call or the attempt finished first, or the clock refused the attempt timer).
   */
  private boolean sendRequest(int leg, AttemptGate.Permit permit, boolean admitted, CallEvents.Leg events) {
    events.admitted(permit);
    Request.Builder tagged = owner.spec().request().newBuilder()
        .tag(LogicalCall.class, owner); // asked at the hand-off, on the OkHttp thread that sends it
    events.handedOff(tagged);
    Call call = owner.engine().okHttp().newCall(tagged.build());
    Exchange<?> exchange = owner.exchange(this, leg, permit, events, call);
    if (!add(exchange, admitted) || owner.ending()) {
      FanoutCancelledException gone = new FanoutCancelledException(
          owner.label() + ": finished before attempt " + attempt + (leg == 0 ? "" : " hedge " + leg) + " was sent");
      remove(exchange);
      events.ended(gone);
      permit.onFailure(gone);
      return false;
    }
    if (leg == 0) {
      owner.answeredBy(call);
    }
    Duration perAttempt = owner.engine().attemptTimeout();
    if (!perAttempt.isZero()) {
      try {
        exchange.startTimer(owner.engine().clock(), perAttempt);
      } catch (RuntimeException e) {
        remove(exchange);
        events.ended(e);
        permit.onFailure(e);
        owner.finish(null, new FanoutCancelledException(owner.label() + ": the clock refused the attempt timer", e));
        return false;
      }
    }
    if (owner.ending()) {
      remove(exchange);
      exchange.cancelTimer();
      call.cancel();
      FanoutCancelledException never = new FanoutCancelledException(
          owner.label() + ": finished before attempt " + attempt + " was sent");
      events.ended(never);
      permit.onFailure(never); // never enqueued, so no callback will report it
      return false;
    }
    owner.engine().inFlight().sent();
    if (leg > 0) {
      HttpEngine.LOG.debug("{}: attempt {} is slow; sending hedge {}", owner.label(), attempt, leg);
    }
    call.enqueue(exchange);
    return true;
  }

  /**
   * The hedger says backup {@code n} of this attempt is due: sends it if the attempt still runs, the
   * client is below {@code maxInFlight} (a hedge never queues) and the budget has one; true if sent.
   */
  private boolean hedge(int n) {
    if (owner.ending() || isOver()) {
      return false;
    }
    if (owner.engine().inFlight().atLimit()) {
      return false;
    }
    if (!hedger.tryBackup()) {
      return false;
    }
    CallEvents.Leg events = owner.events().asking(attempt, n);
    CompletableFuture<AttemptGate.Permit> admission;
    try {
      admission = owner.engine().gate().acquire(owner.spec().request(), attempt, owner.gateDeadline());
    } catch (RuntimeException e) {
      events.ended(e);
      return true; // its budget token is spent; nothing runs, the attempt's own request decides
    }
    if (!addPending(admission)) {
      events.ended(new FanoutCancelledException(owner.label() + ": hedge " + n + " was no longer needed"));
      admission.cancel(false);
      return true;
    }
    admission.whenComplete((permit, refused) -> {
      if (refused != null || !takePending(admission)) {
        FanoutCancelledException unneeded =
            new FanoutCancelledException(owner.label() + ": hedge " + n + " was no longer needed");
        events.ended(refused != null ? Futures.unwrap(refused) : unneeded);
        if (permit != null) {
          permit.onFailure(unneeded);
        }
        pendingFailed(admission);
        return;
      }
      sendRequest(n, permit, true, events);
    });
    return true;
  }

  private void ticket(Hedger.Ticket t) {
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
  synchronized boolean add(Exchange<?> c, boolean admitted) {
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
  synchronized void remove(Exchange<?> c) {
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
    if (!owner.ending()) {
      owner.attemptFailed(error, droppedRetryable, droppedRetryAfter, droppedStatus);
    }
  }

  /**
   * Request {@code c} failed: returns true if that fails the attempt (no other request is left), else
   * keeps its error in case the others fail too.
   */
  boolean failed(Exchange<?> c, FanoutException error, boolean retryable, Duration retryAfter, int status) {
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
  boolean claim(Exchange<?> c) {
    List<Exchange<?>> losers = new ArrayList<>();
    List<CompletableFuture<?>> admissions;
    synchronized (this) {
      running--;
      if (over) {
        return false;
      }
      over = true;
      for (Exchange<?> other : requests) {
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
    owner.answeredBy(c.call);
    c.events.took();
    for (Exchange<?> loser : losers) {
      loser.lose();
    }
    for (CompletableFuture<?> a : admissions) {
      a.cancel(false);
    }
    return true;
  }

  /** The call finished (any path): every request's timer and hedge admission still running is cancelled. */
  void cancelAll() {
    List<Exchange<?>> all;
    List<CompletableFuture<?>> admissions;
    synchronized (this) {
      over = true;
      all = new ArrayList<>(requests);
      admissions = new ArrayList<>(pending);
      pending.clear();
    }
    ended(false);
    for (Exchange<?> c : all) {
      c.cancelTimer();
    }
    for (CompletableFuture<?> a : admissions) {
      a.cancel(false);
    }
    // A call the handler is reading is cancelled only when the caller asked for it: see LogicalCall.release().
  }

  synchronized List<Call> calls() {
    List<Call> calls = new ArrayList<>(requests.size());
    for (Exchange<?> c : requests) {
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
