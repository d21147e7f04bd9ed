package dev.fanout.mock;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What trace context a {@link MockBackend}'s requests carried since it started or was last reset: how many
 * had a valid {@code traceparent}, an invalid one, none, a {@code tracestate}, and the most recent distinct
 * trace ids (oldest first, at most {@link #RECENT_TRACE_IDS}). Admin requests are not counted.
 * {@code GET /__admin/stats} shows it under {@code "traceContext"}.
 */
public record TraceStats(
    long withTraceparent, long invalidTraceparent, long withoutTraceparent, long withTracestate,
    List<String> recentTraceIds) {

  /** How many distinct recent trace ids are kept: 32. */
  public static final int RECENT_TRACE_IDS = 32;

  public TraceStats {
    recentTraceIds = List.copyOf(recentTraceIds);
  }

  /** This snapshot as the JSON object {@code /__admin/stats} shows. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("withTraceparent", withTraceparent);
    m.put("invalidTraceparent", invalidTraceparent);
    m.put("withoutTraceparent", withoutTraceparent);
    m.put("withTracestate", withTracestate);
    m.put("recentTraceIds", recentTraceIds);
    return m;
  }
}
