package dev.fanout.internal;

import static dev.fanout.internal.ConnectionGate.ALLOCATION_LIMIT;
import static dev.fanout.internal.ConnectionGate.ASSUMED_STREAM_LIMIT;
import static dev.fanout.internal.ConnectionGate.MAX_LANES;
import static dev.fanout.internal.ConnectionGate.MAX_PARALLEL_OPENS;
import static dev.fanout.internal.ConnectionGate.SETTINGS_WAIT_NANOS;
import static dev.fanout.internal.ConnectionGate.isMultiplexed;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.ObjIntConsumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import okhttp3.Connection;
import okhttp3.Dns;
import okhttp3.Interceptor;
import okhttp3.Protocol;

/**
 * The {@link ConnectionGate}'s state for one host (scheme, host, port). Every field is under {@link #lock},
 * which is held to decide, never while a call waits. Calls that cannot go at once queue as {@link
 * GateWaiter}s, first come first served; each change that can free a stream or tell the protocol admits from
 * the head of the queue what can go, and wakes only those.
 *
 * <p>An admitted call is given a stream of one connection, and goes on that connection's {@link GateLane}; one
 * admitted to open a connection goes on a lane with no connection, so that several can open at once.
 */
final class GateHost {
  final String key;
  final ReentrantLock lock = new ReentrantLock();
  private final ToIntFunction<Connection> streamLimit;
  private final ObjIntConsumer<Connection> enforceLimit;
  private final Predicate<Connection> usable;
  private final LongSupplier nanoTime;
  private final ArrayDeque<GateWaiter> waiters = new ArrayDeque<>();
  /** Null until the scout's connection is established. */
  private Protocol protocol;
  private GateTicket scout;
  /** Counts scouts: a call waiting for scout N fails with N's failure. */
  private long scoutRound;
  private long failedRound = -1;
  private Throwable scoutFailure;
  /** Admitted to a free stream, not yet given its connection (the sum of the seats' pending). */
  private int pending;
  /** Admitted to open a connection, not yet given one. */
  private int opening;
  /** Lanes made for openers, reused once their connections are gone; at most {@link ConnectionGate#MAX_LANES}. */
  private final List<GateLane> lanes = new ArrayList<>();
  /** The client's {@code Dns}, which the lanes look names up with; read from the first call's chain. */
  private Dns dns;
  /** The last stream limit a connection of this host had; 0 before any. */
  private int knownLimit;
  /** The newest connection while its stream limit is unknown, and when it was seen (for the SETTINGS wait). */
  private Connection newest;
  private long newestConnectionNanos;
  /** How many new connections' SETTINGS the host's calls waited for (for tests). */
  private int settingsWaits;
  /** True once a connection's limit stayed unknown for the whole wait: the server announces none. */
  private boolean silentLimit;
  /** True while the head of the queue waits for the newest connection's SETTINGS, which come without a signal. */
  private boolean settingsWait;
  /** The host's HTTP/2 connections, each with its calls and lane. */
  private final Map<Connection, GateSeat> connections = new WeakHashMap<>();

  /**
   * {@code streamLimit} reads a connection's stream limit from its applied SETTINGS, 0 while unknown ({@link
   * ConnectionGate#streamLimit}); {@code enforceLimit} makes OkHttp put no more calls on a connection than the
   * limit the gate counts for it, while OkHttp has not applied that connection's SETTINGS itself ({@link
   * ConnectionGate#enforceStreamLimit}); {@code usable} says whether new streams can still go on a connection
   * (no GOAWAY, no failure: {@link ConnectionGate#usable}); {@code nanoTime} times the SETTINGS wait, which is for
   * something the network does, so the gate gives it {@link System#nanoTime()}.
   */
  GateHost(String key, ToIntFunction<Connection> streamLimit, ObjIntConsumer<Connection> enforceLimit,
      Predicate<Connection> usable, LongSupplier nanoTime) {
    this.key = key;
    this.streamLimit = streamLimit;
    this.enforceLimit = enforceLimit;
    this.usable = usable;
    this.nanoTime = nanoTime;
  }

  boolean isIdle() {
    lock.lock();
    try {
      if (opening > 0 || pending > 0 || !waiters.isEmpty() || scout != null) return false;
      for (GateSeat seat : connections.values()) {
        if (seat.seated > 0) return false;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  int settingsWaits() {
    lock.lock();
    try {
      return settingsWaits;
    } finally {
      lock.unlock();
    }
  }

  int waiting() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  GateTicket admit(Interceptor.Chain chain) throws IOException {
    GateWaiter waiter;
    lock.lock();
    try {
      if (dns == null) dns = Objects.requireNonNullElse(chain.getDns(), Dns.SYSTEM);
      if (waiters.isEmpty()) {
        GateTicket ticket = next();
        if (ticket != null) return ticket;
      }
      waiter = new GateWaiter(protocol == null ? scoutRound : -1);
      if (waiters.isEmpty() && settingsWait) waiter.pollSettings(); // the head of the queue polls the wait
      waiters.add(waiter);
    } finally {
      lock.unlock();
    }
    return waiter.await(this, chain);
  }

  /**
   * Under the lock: the ticket the next call gets if it can go now, or null if it must wait. Sets {@link
   * #settingsWait} when it must wait for a new connection's SETTINGS.
   */
  private GateTicket next() {
    settingsWait = false;
    Protocol p = protocol;
    if (p == null) {
      if (scout != null) return null;
      scout = new GateTicket(this, GateTicket.Kind.SCOUT);
      scoutRound++;
      return scout;
    }
    if (!isMultiplexed(p)) return new GateTicket(this, GateTicket.Kind.PASS);
    if (newestLimitUnknown()) {
      settingsWait = true;
      return null;
    }
    GateSeat seat = freeSeat();
    if (seat != null) {
      seat.pending++;
      pending++;
      return new GateTicket(this, GateTicket.Kind.STREAM, seat.lane, seat);
    }
    if (opening >= opensWanted()) return null;
    GateLane lane = freeLane();
    // Without a lane of its own (all taken), an opener goes on the host's first address, and only once every
    // admitted call has its stream: before that, it could take the free stream an admitted call is on its way
    // to, and that call would open a connection of its own.
    if (lane == null && (pending > 0 || opening > 0)) return null;
    opening++;
    if (lane != null) lane.opening++;
    HttpEngine.LOG.debug("{}: its {} HTTP/2 connection(s) are at their stream limits; opening another ({} opening, "
        + "{} call(s) waiting)", key, usableConnections(), opening, waiters.size());
    return new GateTicket(this, GateTicket.Kind.OPENER, lane, null);
  }

  /**
   * How many connections may be opening at once: enough for the openers and the calls waiting (the head of the
   * queue counts, or the call asking when none waits) at the host's stream limit, at most {@link
   * ConnectionGate#MAX_PARALLEL_OPENS}.
   */
  private int opensWanted() {
    int limit = knownLimit > 0 ? knownLimit : ASSUMED_STREAM_LIMIT;
    long wanting = opening + Math.max(1, waiters.size());
    return (int) Math.min(MAX_PARALLEL_OPENS, (wanting + limit - 1) / limit);
  }

  /** A usable connection with a stream no call holds or is on its way to; null if none. */
  private GateSeat freeSeat() {
    for (Map.Entry<Connection, GateSeat> e : connections.entrySet()) {
      Connection c = e.getKey();
      if (!usable.test(c)) continue;
      GateSeat seat = e.getValue();
      if (seat.seated + seat.pending < limitOf(c)) return seat;
    }
    return null;
  }

  /** {@code c}'s stream limit: its own once known, else the host's last known, else the assumed one. */
  private int limitOf(Connection c) {
    int limit = streamLimit.applyAsInt(c);
    if (limit > 0) {
      knownLimit = limit;
      return limit;
    }
    return knownLimit > 0 ? knownLimit : ASSUMED_STREAM_LIMIT;
  }

  /**
   * A lane with no connection in use and no call on its way to one: an earlier one whose connections are gone,
   * or a new one; null once the host has {@link ConnectionGate#MAX_LANES}.
   */
  private GateLane freeLane() {
    for (GateLane lane : lanes) {
      if (lane.opening == 0 && !inUse(lane)) return lane;
    }
    if (lanes.size() >= MAX_LANES) return null;
    GateLane lane = new GateLane(dns);
    lanes.add(lane);
    return lane;
  }

  private boolean inUse(GateLane lane) {
    for (Map.Entry<Connection, GateSeat> e : connections.entrySet()) {
      GateSeat seat = e.getValue();
      if (seat.lane == lane && (seat.pending > 0 || seat.seated > 0 || usable.test(e.getKey()))) return true;
    }
    return false;
  }

  /**
   * Under the lock: admits waiting calls from the head of the queue while they can go, and fails those that
   * waited for a scout that failed. If the head waits for SETTINGS, it is told to look again soon.
   */
  private void admitWaiting() {
    GateWaiter head;
    while ((head = waiters.peek()) != null) {
      if (protocol == null && head.round >= 0 && head.round == failedRound) {
        waiters.poll();
        head.fail(scoutFailure);
        continue;
      }
      GateTicket ticket = next();
      if (ticket == null) {
        if (settingsWait) head.pollSettings();
        return;
      }
      waiters.poll();
      head.admit(ticket);
    }
  }

  /** Takes a waiter that gave up (cancelled) out of the queue; false if it was admitted or failed first. */
  boolean withdraw(GateWaiter waiter) {
    lock.lock();
    try {
      boolean removed = waiters.remove(waiter);
      if (removed) admitWaiting(); // it may have been the head that polls the SETTINGS wait
      return removed;
    } finally {
      lock.unlock();
    }
  }

  /** The head of the queue looks again whether the newest connection's SETTINGS have come. */
  void pollSettings(GateWaiter head) {
    lock.lock();
    try {
      head.settingsPolled();
      admitWaiting();
    } finally {
      lock.unlock();
    }
  }

  String failureMessage(Throwable failure) {
    return "connecting to " + key + " failed for an earlier call of this fan-out: " + failure;
  }

  /**
   * True while the newest connection's stream limit is unknown, for at most {@link
   * ConnectionGate#SETTINGS_WAIT_NANOS}: until OkHttp applies its SETTINGS it would put any number of streams on
   * it, and the server refuse those above its limit.
   */
  private boolean newestLimitUnknown() {
    Connection c = newest;
    if (c == null) return false;
    int limit = streamLimit.applyAsInt(c);
    boolean waitedOut = nanoTime.getAsLong() - newestConnectionNanos >= SETTINGS_WAIT_NANOS;
    if (limit > 0 || ALLOCATION_LIMIT == null || waitedOut) {
      if (limit > 0) {
        knownLimit = limit;
        enforceLimit.accept(c, limit); // the gate reads SETTINGS as soon as they arrive, OkHttp applies them later
      } else {
        silentLimit = true; // its SETTINGS (if any) announce no limit: do not wait on the next connections
      }
      newest = null;
      return false;
    }
    return true;
  }

  private int usableConnections() {
    int n = 0;
    for (Connection c : connections.keySet()) {
      if (usable.test(c)) n++;
    }
    return n;
  }

  void connected(GateTicket ticket, Connection connection) {
    lock.lock();
    try {
      if (ticket.seat != null) return; // a replay of the same call, already seated
      if (ticket.kind == GateTicket.Kind.SCOUT && protocol == null) {
        Protocol p = connection.protocol();
        protocol = p;
        scout = null;
        HttpEngine.LOG.debug("{}: first connection established, {}", key, p);
        if (!isMultiplexed(p)) {
          ticket.kind = GateTicket.Kind.PASS;
          admitWaiting();
          return;
        }
      } else if (ticket.kind == GateTicket.Kind.OPENER) {
        opened(ticket);
      } else if (ticket.kind == GateTicket.Kind.STREAM) {
        arrived(ticket);
      } else {
        return;
      }
      GateSeat seat = connections.get(connection);
      if (seat == null) {
        seat = new GateSeat(ticket.lane);
        connections.put(connection, seat);
        HttpEngine.LOG.debug("{}: HTTP/2 connection {} in use, {} call(s) waiting", key, connections.size(),
            waiters.size());
        // Only a host's first connection waits for its SETTINGS: later ones take the limit the host's earlier
        // connections announced (a server's limit is its configuration), as Go's transport assumes one
        // instead of waiting. Streams a later connection refuses above a lower limit are sent again.
        int own = streamLimit.applyAsInt(connection);
        if (own <= 0 && !silentLimit && knownLimit == 0) {
          newest = connection;
          newestConnectionNanos = nanoTime.getAsLong();
          settingsWaits++;
        } else {
          // Until OkHttp applies this connection's SETTINGS it would give it every call the gate admits for the
          // host's other connections too, above the limit the gate counts for it, and the server refuse those.
          enforceLimit.accept(connection, own > 0 ? own : knownLimit > 0 ? knownLimit : ASSUMED_STREAM_LIMIT);
        }
      }
      seat.seated++;
      ticket.seat = seat;
      ticket.kind = GateTicket.Kind.STREAM;
      admitWaiting();
    } finally {
      lock.unlock();
    }
  }

  /** The call ended: failed, or its stream released. */
  void ended(GateTicket ticket, Throwable failure) {
    lock.lock();
    try {
      if (ticket.seat != null) {
        ticket.seat.seated--;
      } else if (ticket.kind == GateTicket.Kind.SCOUT) {
        if (scout == ticket) {
          scout = null;
          failedRound = scoutRound;
          scoutFailure = failure;
        }
      } else if (ticket.kind == GateTicket.Kind.OPENER) {
        opened(ticket);
      } else if (ticket.kind == GateTicket.Kind.STREAM) {
        arrived(ticket);
      }
      ticket.kind = GateTicket.Kind.PASS;
      admitWaiting();
    } finally {
      lock.unlock();
    }
  }

  /** Under the lock: an opener has its connection, or failed before it had one. */
  private void opened(GateTicket ticket) {
    opening--;
    if (ticket.lane != null) ticket.lane.opening--;
  }

  /** Under the lock: a call admitted to a stream has its connection, or failed before it had one. */
  private void arrived(GateTicket ticket) {
    pending--;
    ticket.target.pending--;
  }
}
