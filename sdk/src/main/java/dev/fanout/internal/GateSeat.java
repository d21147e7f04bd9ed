package dev.fanout.internal;

/**
 * One HTTP/2 connection's calls in a {@link GateHost}: those seated on it (given it, streams not yet released)
 * and those admitted to it, on their way. Changed under the host's lock.
 */
final class GateSeat {
  /** The lane the connection is on; null for the host's first connection's (the client's own address). */
  final GateLane lane;
  int seated;
  int pending;

  GateSeat(GateLane lane) {
    this.lane = lane;
  }
}
