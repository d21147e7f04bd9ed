package dev.fanout.jobs.internal;

/**
 * An optional ceiling on requests and tokens per minute, below whatever the provider allows: two token
 * buckets one second deep, refilled at the per-minute rate over 60. {@link #reserve(long, long)} takes a
 * request's share and says how long to wait before sending it; time comes from the caller, so tests drive
 * it by hand. Not thread-safe: one reader thread reserves.
 */
public final class Ceiling {
  private final double requestsPerNano;
  private final double tokensPerNano;
  private final double requestBurst;
  private final double tokenBurst;
  private double requestCredit;
  private double tokenCredit;
  private long lastNanos;
  private boolean started;

  /** A ceiling of {@code requestsPerMinute} and {@code tokensPerMinute}; 0 means none for that dimension. */
  public Ceiling(long requestsPerMinute, long tokensPerMinute) {
    if (requestsPerMinute < 0) {
      throw new IllegalArgumentException("requestsPerMinute < 0: " + requestsPerMinute);
    }
    if (tokensPerMinute < 0) {
      throw new IllegalArgumentException("tokensPerMinute < 0: " + tokensPerMinute);
    }
    this.requestsPerNano = requestsPerMinute / 60e9;
    this.tokensPerNano = tokensPerMinute / 60e9;
    this.requestBurst = Math.max(1, requestsPerMinute / 60.0);
    this.tokenBurst = tokensPerMinute / 60.0;
  }

  public boolean unlimited() {
    return requestsPerNano == 0 && tokensPerNano == 0;
  }

  /**
   * Charges one request of {@code tokens} estimated tokens at time {@code nowNanos}; returns the nanoseconds
   * to wait before sending it (0 to send now). A request larger than the token burst waits until the
   * bucket is full, then overdraws it.
   */
  public long reserve(long nowNanos, long tokens) {
    if (!started) {
      started = true;
      lastNanos = nowNanos;
      requestCredit = requestBurst;
      tokenCredit = tokenBurst;
    }
    long elapsed = Math.max(0, nowNanos - lastNanos);
    lastNanos = Math.max(lastNanos, nowNanos);
    long wait = 0;
    if (requestsPerNano > 0) {
      requestCredit = Math.min(requestBurst, requestCredit + elapsed * requestsPerNano);
      requestCredit -= 1;
      if (requestCredit < 0) {
        wait = Math.max(wait, (long) Math.ceil(-requestCredit / requestsPerNano));
      }
    }
    if (tokensPerNano > 0) {
      tokenCredit = Math.min(tokenBurst, tokenCredit + elapsed * tokensPerNano);
      double charge = Math.min(tokens, tokenBurst);
      double overdraw = Math.max(0, tokens - tokenBurst);
      tokenCredit -= charge;
      if (tokenCredit < 0) {
        wait = Math.max(wait, (long) Math.ceil(-tokenCredit / tokensPerNano));
      }
      tokenCredit -= overdraw;
    }
    return wait;
  }

  /** A chat or embeddings request's tokens, roughly: its text's characters over 4, plus its max_tokens. */
  public static long estimateTokens(com.fasterxml.jackson.databind.JsonNode body) {
    if (body == null) {
      return 0;
    }
    long chars = 0;
    java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> stack = new java.util.ArrayDeque<>();
    for (String field : new String[] {"messages", "input", "prompt"}) {
      if (body.has(field)) {
        stack.push(body.get(field));
      }
    }
    while (!stack.isEmpty()) {
      com.fasterxml.jackson.databind.JsonNode n = stack.pop();
      if (n.isTextual()) {
        chars += n.asText().length();
      } else if (n.isContainerNode()) {
        n.forEach(stack::push);
      }
    }
    com.fasterxml.jackson.databind.JsonNode max = body.has("max_completion_tokens")
        ? body.get("max_completion_tokens") : body.get("max_tokens");
    long out = max != null && max.canConvertToLong() ? Math.max(0, max.asLong()) : 0;
    return (chars + 3) / 4 + out;
  }
}
