package dev.fanout.internal;

import dev.fanout.internal.telemetry.Telemetry;
import java.util.OptionalInt;

/**
 * A fan-out as telemetry sees it, shared by the scopes of all its tasks. A fan-out does not know which
 * client its tasks call, so its span starts lazily: the first call made inside it by a client with
 * telemetry starts the fan-out span on that client's telemetry (in the trace context current at that
 * call), and every later call of that telemetry in the fan-out becomes its child. The fan-out ends it once,
 * with its tasks' outcome counts. A fan-out whose tasks make no such call records nothing. Thread-safe.
 */
public final class FanoutSpan {
  private final String combinator;
  private final int size;
  private final OptionalInt bound;
  private Telemetry owner; // guarded by this
  private Telemetry.FanoutScope scope; // guarded by this
  private boolean ended; // guarded by this

  public FanoutSpan(String combinator, int size, OptionalInt bound) {
    this.combinator = combinator;
    this.size = size;
    this.bound = bound;
  }

  /**
   * Returns the fan-out's scope on {@code telemetry}, starting it on the first call; null if the fan-out
   * has ended or its span belongs to another client's telemetry.
   */
  synchronized Telemetry.FanoutScope scopeFor(Telemetry telemetry) {
    if (ended) {
      return null;
    }
    if (scope == null) {
      owner = telemetry;
      scope = telemetry.fanoutStarted(combinator, size, bound);
    }
    return owner == telemetry ? scope : null;
  }

  /** The fan-out finished; ends its span if one was started. Later calls are ignored. */
  public void ended(int succeeded, int failed, int cancelled, Throwable error) {
    Telemetry.FanoutScope s;
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      s = scope;
    }
    if (s != null) {
      s.ended(succeeded, failed, cancelled, error);
    }
  }
}
