package dev.fanout.internal;

import java.util.function.BooleanSupplier;

/**
 * Whether a request of one call may still go to the network, decided under one lock with the call's end. A
 * request passes ({@link #pass}) only while the call runs, its context is not cancelled and the client is
 * open; the attempt whose OkHttp calls a finish cancels is registered ({@link #register}) and read
 * ({@link #race}) under the same lock, so a finish either sees an attempt (and cancels its calls) or the
 * attempt sees the finish. Asked by {@link HandOff} on the OkHttp thread about to send a request.
 */
final class HandOffGuard {
  private final CallScope scope;
  private final HttpEngine engine;
  /** True once the call finished. */
  private final BooleanSupplier finished;
  /** A request passed: it may have reached the server. Guarded by this. */
  private boolean sentOne;
  /** The SDK is failing the call ({@link #refuse}): no request may pass. Guarded by this. */
  private boolean refusing;
  /** The attempt in progress: its requests (the first and any hedges). Guarded by this. */
  private HedgeRace race;

  HandOffGuard(CallScope scope, HttpEngine engine, BooleanSupplier finished) {
    this.scope = scope;
    this.engine = engine;
    this.finished = finished;
  }

  /** The SDK is failing the call: no request passes after this returns; true if one had passed before. */
  synchronized boolean refuse() {
    refusing = true;
    return sentOne;
  }

  /**
   * A request of the call is about to go to the network: returns null to let it go, or why it must not (the
   * call finished, its context was cancelled, the client closed).
   */
  synchronized String pass() {
    String why = null;
    if (refusing || finished.getAsBoolean()) {
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

  /** Registers {@code attempt} as the call's attempt in progress; false if the call is {@code ending} or refused. */
  synchronized boolean register(HedgeRace attempt, BooleanSupplier ending) {
    if (refusing || ending.getAsBoolean()) {
      return false;
    }
    race = attempt;
    return true;
  }

  /** Returns the attempt in progress, or null; read by a finish, after which none is registered. */
  synchronized HedgeRace race() {
    return race;
  }
}
