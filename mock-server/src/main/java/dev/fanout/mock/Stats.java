package dev.fanout.mock;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stats are a snapshot of what a {@link MockBackend} has seen since it started or was last reset.
 * Every counter is exact; the snapshot as a whole is not atomic (counters read one after another
 * while requests run).
 *
 * <ul>
 *   <li>A request is counted per route when it arrives (including admin requests and 4xx ones).
 *   <li>In flight: from arrival (dispatch) until the response is fully written or fails. Admin
 *       requests are never in flight.
 *   <li>Completed: the response, whatever its status, was fully written.
 *   <li>Aborted: the client went away, a write failed, or a fault (disconnect, stall) cut it short.
 * </ul>
 */
public final class Stats {
  /** Fault kinds, the keys of {@link #faultsInjected()}. */
  public static final String ERROR_5XX = "error5xx";
  /** Requests answered 429 by the plain rate limiter or by the provider-style meter ({@code requestsPerMinute}...). */
  public static final String RATE_LIMITED = "rateLimited";
  public static final String DISCONNECT_BEFORE_BODY = "disconnectBeforeBody";
  public static final String DISCONNECT_DURING_BODY = "disconnectDuringBody";
  public static final String STALL = "stall";
  public static final String MALFORMED_JSON = "malformedJson";
  /** Requests that took the tail latency ({@link Latency#tailShare()}) instead of the sampled delay. */
  public static final String TAIL_LATENCY = "tailLatency";

  private final Map<String, Long> requestsByRoute;
  private final int inFlight;
  private final int maxInFlight;
  private final long completed;
  private final long aborted;
  private final Map<String, Long> faultsInjected;

  /** Creates a snapshot; the maps are copied. For {@link MockBackend} and tests. */
  public Stats(
      Map<String, Long> requestsByRoute,
      int inFlight,
      int maxInFlight,
      long completed,
      long aborted,
      Map<String, Long> faultsInjected) {
    this.requestsByRoute = Collections.unmodifiableMap(new LinkedHashMap<>(requestsByRoute));
    this.inFlight = inFlight;
    this.maxInFlight = maxInFlight;
    this.completed = completed;
    this.aborted = aborted;
    this.faultsInjected = Collections.unmodifiableMap(new LinkedHashMap<>(faultsInjected));
  }

  /** Requests that arrived for {@code route} (see {@link Routes}); 0 if none. */
  public long requests(String route) {
    return requestsByRoute.getOrDefault(route, 0L);
  }

  /** Requests per route, every route of {@link Routes#ALL} present. */
  public Map<String, Long> requestsByRoute() {
    return requestsByRoute;
  }

  public long totalRequests() {
    long total = 0;
    for (long n : requestsByRoute.values()) total += n;
    return total;
  }

  /** Requests in flight now. */
  public int inFlight() {
    return inFlight;
  }

  /** The most requests in flight at once since start or reset. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** Responses fully written. */
  public long completed() {
    return completed;
  }

  /** Responses cut short: the client went away, a write failed, or a disconnect or stall fault. */
  public long aborted() {
    return aborted;
  }

  /** Faults injected by kind, every kind present. */
  public Map<String, Long> faultsInjected() {
    return faultsInjected;
  }

  /** Faults injected of {@code kind}; 0 if none. */
  public long faults(String kind) {
    return faultsInjected.getOrDefault(kind, 0L);
  }

  public long faultsTotal() {
    long total = 0;
    for (long n : faultsInjected.values()) total += n;
    return total;
  }

  /** This snapshot as the JSON tree {@code GET /__admin/stats} answers. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("requests", requestsByRoute);
    m.put("totalRequests", totalRequests());
    m.put("inFlight", inFlight);
    m.put("maxInFlight", maxInFlight);
    m.put("completed", completed);
    m.put("aborted", aborted);
    m.put("faults", faultsInjected);
    m.put("faultsTotal", faultsTotal());
    return m;
  }

  @Override
  public String toString() {
    return "Stats" + toMap();
  }
}
