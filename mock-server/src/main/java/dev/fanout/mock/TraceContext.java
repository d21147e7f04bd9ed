package dev.fanout.mock;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import dev.fanout.mock.ReceivedRequest;

/**
 * A W3C Trace Context a request carried: its {@code traceparent} ({@code version-traceid-parentid-flags})
 * and {@code tracestate}, as the server received them. {@link #parse} accepts exactly what the W3C
 * recommendation's parsing rules accept: lowercase hex, a trace id and a parent id that are not all zeros,
 * version {@code ff} refused, version {@code 00} exactly 55 characters, later versions with possible
 * extra fields after a {@code -}.
 */
public final class TraceContext {
  private final String version;
  private final String traceId;
  private final String parentId;
  private final String flags;
  private final String tracestate;

  private TraceContext(String version, String traceId, String parentId, String flags, String tracestate) {
    this.version = version;
    this.traceId = traceId;
    this.parentId = parentId;
    this.flags = flags;
    this.tracestate = tracestate;
  }

  /** Parses a {@code traceparent} (and the {@code tracestate} beside it, may be null); empty if it is not valid. */
  public static Optional<TraceContext> parse(String traceparent, String tracestate) {
    if (traceparent == null) {
      return Optional.empty();
    }
    String t = traceparent.strip();
    if (t.length() < 55 || t.charAt(2) != '-' || t.charAt(35) != '-' || t.charAt(52) != '-') {
      return Optional.empty();
    }
    String version = t.substring(0, 2);
    String traceId = t.substring(3, 35);
    String parentId = t.substring(36, 52);
    String flags = t.substring(53, 55);
    if (!hex(version) || version.equals("ff") || !hex(traceId) || !hex(parentId) || !hex(flags)
        || zeros(traceId) || zeros(parentId)) {
      return Optional.empty();
    }
    if (version.equals("00") ? t.length() != 55 : t.length() > 55 && t.charAt(55) != '-') {
      return Optional.empty();
    }
    String state = tracestate == null || tracestate.isBlank() ? null : tracestate.strip();
    return Optional.of(new TraceContext(version, traceId, parentId, flags, state));
  }

  /** Returns the trace context {@code request} carried, empty if it had no valid {@code traceparent}. */
  public static Optional<TraceContext> of(ReceivedRequest request) {
    Objects.requireNonNull(request, "request == null");
    return parse(request.header("traceparent"), request.header("tracestate"));
  }

  /** Two lowercase hex digits: {@code 00} today. */
  public String version() {
    return version;
  }

  /** 32 lowercase hex digits, the trace every span of one fan-out shares. */
  public String traceId() {
    return traceId;
  }

  /** 16 lowercase hex digits: the span of the client's attempt that sent the request. */
  public String parentId() {
    return parentId;
  }

  /** The trace flags, two hex digits. */
  public String flags() {
    return flags;
  }

  /** True if the caller sampled (records) this trace: flag bit 0. */
  public boolean sampled() {
    return (Integer.parseInt(flags, 16) & 1) == 1;
  }

  /** The {@code tracestate} header, empty if absent. */
  public Optional<String> tracestate() {
    return Optional.ofNullable(tracestate);
  }

  /** The {@code traceparent} header as received. */
  public String traceparent() {
    return version + "-" + traceId + "-" + parentId + "-" + flags;
  }

  private static boolean hex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean zeros(String s) {
    return s.chars().allMatch(c -> c == '0');
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TraceContext other && traceparent().equals(other.traceparent())
        && Objects.equals(tracestate, other.tracestate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(traceparent(), tracestate);
  }

  @Override
  public String toString() {
    return traceparent() + (tracestate == null ? "" : " tracestate=" + tracestate.toLowerCase(Locale.ROOT));
  }
}
