package dev.fanout.internal.governor;

import dev.fanout.FanoutClock;
import dev.fanout.common.Durations;
import dev.fanout.internal.governor.LimitObservation.Refill;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import okhttp3.Headers;

/**
 * Reads the rate limits a response publishes, in every convention the SDK knows, into
 * {@link LimitObservation}s whose reset times are on the {@link FanoutClock}'s {@code nanoTime}.
 *
 * <table>
 *   <caption>Conventions read</caption>
 *   <tr><th>convention</th><th>fields</th><th>reset written as</th><th>refill</th></tr>
 *   <tr><td>OpenAI</td><td>{@code x-ratelimit-limit|remaining|reset-requests|tokens}</td>
 *       <td>a duration: {@code 1s}, {@code 6m0s}, {@code 20ms}, {@code 1.5s}</td><td>replenishing, per minute</td></tr>
 *   <tr><td>Anthropic</td><td>{@code anthropic-ratelimit-requests|tokens|input-tokens|output-tokens-limit|remaining|reset}</td>
 *       <td>an RFC 3339 instant</td><td>replenishing, per minute</td></tr>
 *   <tr><td>IETF draft (current)</td><td>{@code RateLimit-Policy: "default";q=100;w=60},
 *       {@code RateLimit: "default";r=50;t=30}</td><td>delta seconds ({@code t})</td><td>fixed window</td></tr>
 *   <tr><td>IETF draft (up to -07)</td><td>{@code RateLimit-Limit|Remaining|Reset}, or
 *       {@code RateLimit: limit=100, remaining=50, reset=30}</td><td>delta seconds</td><td>fixed window</td></tr>
 *   <tr><td>any</td><td>{@code retry-after-ms} (milliseconds), {@code retry-after} (seconds or HTTP date)</td>
 *       <td></td><td></td></tr>
 * </table>
 *
 * <p>Absolute times (RFC 3339 resets, HTTP-date {@code retry-after}) are measured against the response's
 * {@code Date} header when it has one, so a skewed local clock does not shift them, and against
 * {@link FanoutClock#instant()} otherwise. Malformed or negative values are ignored, never thrown: a
 * server's typo must not fail a call that succeeded.
 */
public final class RateLimitHeaders {
  /** OpenAI and Anthropic publish per-minute limits (RPM, TPM, ITPM, OTPM). */
  static final Duration PER_MINUTE = Duration.ofMinutes(1);

  private static final String[][] OPENAI = {
    {"requests", "REQUESTS"},
    {"tokens", "TOKENS"},
  };
  private static final String[][] ANTHROPIC = {
    {"requests", "REQUESTS"},
    {"tokens", "TOKENS"},
    {"input-tokens", "INPUT_TOKENS"},
    {"output-tokens", "OUTPUT_TOKENS"},
  };

  private RateLimitHeaders() {}

  /** Reads every limit and retry-after in {@code headers}; returns an empty signal when there are none. */
  public static RateLimitSignal parse(Headers headers, FanoutClock clock) {
    if (headers == null || !mayPublishLimits(headers)) {
      return RateLimitSignal.NONE;
    }
    long now = clock.nanoTime();
    Instant serverNow = serverNow(headers, clock);
    List<LimitObservation> out = new ArrayList<>();
    for (String[] row : OPENAI) {
      String suffix = row[0];
      OptionalLong limit = count(headers.get("x-ratelimit-limit-" + suffix));
      OptionalLong remaining = count(headers.get("x-ratelimit-remaining-" + suffix));
      OptionalLong reset = delta(headers.get("x-ratelimit-reset-" + suffix), now);
      add(out, LimitDimension.valueOf(row[1]), "openai", Refill.REPLENISHING, limit, remaining, reset,
          Optional.of(PER_MINUTE));
    }
    for (String[] row : ANTHROPIC) {
      String prefix = "anthropic-ratelimit-" + row[0] + "-";
      OptionalLong limit = count(headers.get(prefix + "limit"));
      OptionalLong remaining = count(headers.get(prefix + "remaining"));
      OptionalLong reset = rfc3339(headers.get(prefix + "reset"), serverNow, now);
      add(out, LimitDimension.valueOf(row[1]), "anthropic", Refill.REPLENISHING, limit, remaining, reset,
          Optional.of(PER_MINUTE));
    }
    ietf(headers, now, out);
    return new RateLimitSignal(out, retryAfter(headers, serverNow));
  }

  /**
   * True if a header's name could carry a limit or a wait: every name read here contains {@code ratelimit}
   * or starts with {@code retry-after}. One pass over the names, so a response that publishes nothing (most
   * REST APIs) costs no lookups.
   */
  private static boolean mayPublishLimits(Headers headers) {
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i);
      if (name.regionMatches(true, 0, "retry-after", 0, 11) || containsRatelimit(name)) {
        return true;
      }
    }
    return false;
  }

  private static boolean containsRatelimit(String name) {
    for (int i = 0; i + 9 <= name.length(); i++) {
      if (name.regionMatches(true, i, "ratelimit", 0, 9)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the wait the server asked for: {@code retry-after-ms} first (OpenAI's, in milliseconds, may be
   * fractional), then {@code retry-after} in seconds or as an HTTP date ({@link Duration#ZERO} for a date
   * in the past). Empty when absent or malformed.
   */
  public static Optional<Duration> retryAfter(Headers headers, FanoutClock clock) {
    return retryAfter(headers, serverNow(headers, clock));
  }

  private static Optional<Duration> retryAfter(Headers headers, Instant serverNow) {
    Optional<Duration> ms = decimal(headers.get("retry-after-ms"), 1_000_000d);
    if (ms.isPresent()) {
      return ms;
    }
    String value = headers.get("retry-after");
    if (value == null) {
      return Optional.empty();
    }
    Optional<Duration> seconds = decimal(value, 1_000_000_000d);
    if (seconds.isPresent()) {
      return seconds;
    }
    try {
      Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(serverNow, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException notADate) {
      return Optional.empty();
    }
  }

  // --- IETF draft-ietf-httpapi-ratelimit-headers ---

  private static void ietf(Headers headers, long now, List<LimitObservation> out) {
    Map<String, Map<String, String>> policies = new LinkedHashMap<>();
    for (String field : headers.values("RateLimit-Policy")) {
      policies.putAll(StructuredList.parse(field));
    }
    List<String> rateLimit = headers.values("RateLimit");
    boolean current = false;
    for (String field : rateLimit) {
      if (isLegacyDictionary(field)) {
        legacyDictionary(field, now, out);
        continue;
      }
      current = true;
      for (Map.Entry<String, Map<String, String>> e : StructuredList.parse(field).entrySet()) {
        Map<String, String> policy = policies.remove(e.getKey());
        Map<String, String> params = e.getValue();
        Optional<LimitDimension> dim = unit(policy == null ? null : policy.get("qu"));
        if (dim.isEmpty()) {
          continue;
        }
        OptionalLong limit = policy == null ? OptionalLong.empty() : quota(policy);
        Optional<Duration> window = policy == null ? Optional.empty() : seconds(policy.get("w"));
        OptionalLong reset = seconds(params.get("t")).map(d -> OptionalLong.of(plus(now, d)))
            .orElse(OptionalLong.empty());
        add(out, dim.get(), e.getKey(), Refill.FIXED_WINDOW, limit, count(params.get("r")), reset, window);
      }
    }
    for (Map.Entry<String, Map<String, String>> e : policies.entrySet()) {
      // A policy with no live counters in this response: its size and window still inform pacing.
      Optional<LimitDimension> dim = unit(e.getValue().get("qu"));
      if (dim.isPresent()) {
        add(out, dim.get(), e.getKey(), Refill.FIXED_WINDOW, quota(e.getValue()), OptionalLong.empty(),
            OptionalLong.empty(), seconds(e.getValue().get("w")));
      }
    }
    if (!current) {
      OptionalLong limit = leadingCount(headers.get("RateLimit-Limit"));
      OptionalLong remaining = count(headers.get("RateLimit-Remaining"));
      OptionalLong reset = seconds(headers.get("RateLimit-Reset")).map(d -> OptionalLong.of(plus(now, d)))
          .orElse(OptionalLong.empty());
      add(out, LimitDimension.REQUESTS, "ietf", Refill.FIXED_WINDOW, limit, remaining, reset,
          windowOfLegacyLimit(headers.get("RateLimit-Limit")));
    }
  }

  /** Draft -07 and earlier wrote {@code RateLimit: limit=100, remaining=50, reset=5} (a dictionary). */
  private static boolean isLegacyDictionary(String field) {
    String f = field.strip().toLowerCase(Locale.ROOT);
    return f.startsWith("limit=") || f.startsWith("remaining=") || f.startsWith("reset=");
  }

  private static void legacyDictionary(String field, long now, List<LimitObservation> out) {
    Map<String, String> d = new LinkedHashMap<>();
    for (String member : field.split(",")) {
      int eq = member.indexOf('=');
      if (eq > 0) {
        d.put(member.substring(0, eq).strip().toLowerCase(Locale.ROOT), member.substring(eq + 1).strip());
      }
    }
    OptionalLong reset = seconds(d.get("reset")).map(x -> OptionalLong.of(plus(now, x)))
        .orElse(OptionalLong.empty());
    add(out, LimitDimension.REQUESTS, "ietf", Refill.FIXED_WINDOW, count(d.get("limit")),
        count(d.get("remaining")), reset, Optional.empty());
  }

  /** {@code qu} absent or {@code "requests"} counts requests; other units (bytes, concurrency) are not paced. */
  private static Optional<LimitDimension> unit(String qu) {
    if (qu == null || qu.equals("requests")) {
      return Optional.of(LimitDimension.REQUESTS);
    }
    return Optional.empty();
  }

  /** {@code q} in the current draft, {@code l} in draft -08. */
  private static OptionalLong quota(Map<String, String> policy) {
    OptionalLong q = count(policy.get("q"));
    return q.isPresent() ? q : count(policy.get("l"));
  }

  /** Draft -06 allowed {@code RateLimit-Limit: 100, 100;w=60}: the window of the first member. */
  private static Optional<Duration> windowOfLegacyLimit(String value) {
    if (value == null) {
      return Optional.empty();
    }
    int w = value.indexOf(";w=");
    if (w < 0) {
      return Optional.empty();
    }
    String rest = value.substring(w + 3);
    int end = 0;
    while (end < rest.length() && Character.isDigit(rest.charAt(end))) {
      end++;
    }
    return seconds(rest.substring(0, end));
  }

  // --- values ---

  private static void add(List<LimitObservation> out, LimitDimension dim, String policy, Refill refill,
      OptionalLong limit, OptionalLong remaining, OptionalLong reset, Optional<Duration> window) {
    if (limit.isEmpty() && remaining.isEmpty() && reset.isEmpty()) {
      return;
    }
    out.add(new LimitObservation(dim, policy, refill, limit, remaining, reset, window));
  }

  /** A non-negative integer; anything else (empty, {@code -1}, {@code 1e3}, {@code abc}) is absent. */
  static OptionalLong count(String value) {
    if (value == null) {
      return OptionalLong.empty();
    }
    String s = value.strip();
    if (s.isEmpty() || s.length() > 18) {
      return OptionalLong.empty();
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.of(Long.parseLong(s));
  }

  private static OptionalLong leadingCount(String value) {
    if (value == null) {
      return OptionalLong.empty();
    }
    int end = value.indexOf(',');
    return count(end < 0 ? value : value.substring(0, end));
  }

  /** Integer seconds (the IETF fields' delta-seconds). */
  private static Optional<Duration> seconds(String value) {
    OptionalLong n = count(value);
    return n.isPresent() ? Optional.of(Duration.ofSeconds(n.getAsLong())) : Optional.empty();
  }

  /** A duration in the shared grammar ({@code 6m0s}, {@code 20ms}), as a {@code nanoTime} from {@code now}. */
  private static OptionalLong delta(String value, long now) {
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(plus(now, Durations.parse(value)));
    } catch (IllegalArgumentException malformed) {
      return OptionalLong.empty();
    }
  }

  private static OptionalLong rfc3339(String value, Instant serverNow, long now) {
    if (value == null) {
      return OptionalLong.empty();
    }
    try {
      Instant at = OffsetDateTime.parse(value.strip()).toInstant();
      Duration d = Duration.between(serverNow, at);
      return OptionalLong.of(plus(now, d.isNegative() ? Duration.ZERO : d));
    } catch (DateTimeParseException malformed) {
      return OptionalLong.empty();
    }
  }

  /** A non-negative decimal in some unit ({@code 1.5} seconds, {@code 20.5} ms); absent otherwise. */
  private static Optional<Duration> decimal(String value, double nanosPerUnit) {
    if (value == null) {
      return Optional.empty();
    }
    String s = value.strip();
    if (s.isEmpty() || !s.matches("\\d+(\\.\\d+)?|\\.\\d+")) {
      return Optional.empty();
    }
    double nanos = Double.parseDouble(s) * nanosPerUnit;
    return Optional.of(Duration.ofNanos((long) Math.min(nanos, (double) Long.MAX_VALUE)));
  }

  private static Instant serverNow(Headers headers, FanoutClock clock) {
    String date = headers.get("Date");
    if (date != null) {
      try {
        return ZonedDateTime.parse(date.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      } catch (DateTimeParseException malformed) {
        // fall back to the local clock
      }
    }
    return clock.instant();
  }

  private static long plus(long now, Duration d) {
    long nanos;
    try {
      nanos = d.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
    long r = now + nanos;
    return ((now ^ r) & (nanos ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /**
   * The small part of RFC 8941 structured fields the IETF rate-limit fields use: a list of items (a quoted
   * string or a token) each with {@code ;key=value} parameters. Malformed members are skipped.
   */
  static final class StructuredList {
    private StructuredList() {}

    /** Returns member name -> parameters (string values unquoted), in field order. */
    static Map<String, Map<String, String>> parse(String field) {
      Map<String, Map<String, String>> out = new LinkedHashMap<>();
      if (field == null) {
        return out;
      }
      for (String member : splitOutsideQuotes(field, ',')) {
        List<String> parts = splitOutsideQuotes(member, ';');
        if (parts.isEmpty()) {
          continue;
        }
        Optional<String> name = bareItem(parts.get(0).strip());
        if (name.isEmpty()) {
          continue;
        }
        Map<String, String> params = new LinkedHashMap<>();
        boolean ok = true;
        for (int i = 1; i < parts.size(); i++) {
          String p = parts.get(i).strip();
          int eq = p.indexOf('=');
          String key = (eq < 0 ? p : p.substring(0, eq)).strip();
          if (!key.matches("[a-z*][a-z0-9_.*-]*")) {
            ok = false;
            break;
          }
          Optional<String> v = eq < 0 ? Optional.of("?1") : bareItem(p.substring(eq + 1).strip());
          if (v.isEmpty()) {
            ok = false;
            break;
          }
          params.put(key, v.get());
        }
        if (ok) {
          out.put(name.get(), params);
        }
      }
      return out;
    }

    private static Optional<String> bareItem(String s) {
      if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
        return Optional.of(s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
      if (s.matches("[A-Za-z*][A-Za-z0-9:/!#$%&'*+.^_`|~-]*|-?\\d+(\\.\\d+)?|:[A-Za-z0-9+/=]*:|\\?[01]")) {
        return Optional.of(s);
      }
      return Optional.empty();
    }

    private static List<String> splitOutsideQuotes(String s, char sep) {
      List<String> out = new ArrayList<>();
      StringBuilder cur = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) {
          quoted = !quoted;
        }
        if (c == sep && !quoted) {
          out.add(cur.toString());
          cur.setLength(0);
        } else {
          cur.append(c);
        }
      }
      if (cur.length() > 0 || !out.isEmpty()) {
        out.add(cur.toString());
      }
      out.removeIf(x -> x.isBlank());
      return out;
    }
  }
}
