package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a backend answers before latency and faults are applied: a JSON body, or a list of
 * server-sent events for a streamed chat completion.
 */
public final class Reply {
  final int code;
  final byte[] json;
  final List<byte[]> events;
  /** Anthropic-style streams name each event ({@code event: message_start}) and send no {@code [DONE]}; null for OpenAI's. */
  List<String> eventTypes;
  final long tokenCost;
  final Map<String, String> headers;
  String contentType = "application/json";
  // What a metered route charges (see Meter): set by the backend with metering(...).
  String meterModel;
  long promptEstimate;
  long maxTokens = -1;
  int choices = 1;
  long tokensUsed = -1;
  // What Anthropic's meter charges (see AnthropicMeter): set by the messages backend.
  boolean anthropic;
  long inputEstimate;
  long inputTokensUsed = -1;
  long outputTokensUsed = -1;

  private Reply(int code, byte[] json, List<byte[]> events, long tokenCost, Map<String, String> headers) {
    this.code = code;
    this.json = json;
    this.events = events;
    this.tokenCost = tokenCost;
    this.headers = headers;
  }

  public static Reply json(int code, Object tree) {
    return json(code, tree, 0);
  }

  /** A JSON reply that costs {@code tokenCost} chat tokens against a tokens-per-minute limit. */
  public static Reply json(int code, Object tree, long tokenCost) {
    return new Reply(code, Json.bytes(tree), null, tokenCost, new LinkedHashMap<>());
  }

  /** A reply of raw bytes (a file's content) of {@code contentType}. */
  public static Reply raw(int code, byte[] body, String contentType) {
    Reply r = new Reply(code, body, null, 0, new LinkedHashMap<>());
    r.contentType = contentType;
    return r;
  }

  /** Server-sent events: each element is one {@code data:} payload (already serialized). */
  public static Reply events(List<byte[]> events, long tokenCost) {
    return new Reply(200, null, events, tokenCost, new LinkedHashMap<>());
  }

  /**
   * Server-sent events in Anthropic's form: each {@code event: <type>} line before its {@code data:}, and
   * no {@code [DONE]} after the last.
   */
  public static Reply namedEvents(List<String> types, List<byte[]> events, long tokenCost) {
    if (types.size() != events.size()) throw new IllegalArgumentException(types.size() + " types for " + events.size() + " events");
    Reply r = new Reply(200, null, events, tokenCost, new LinkedHashMap<>());
    r.eventTypes = List.copyOf(types);
    return r;
  }

  /**
   * The stream as written: one frame per event ({@code data: ...\n\n}, with its {@code event:} line when
   * named), then {@code data: [DONE]} for an OpenAI-style stream.
   */
  public List<byte[]> frames() {
    List<byte[]> frames = new java.util.ArrayList<>(events.size() + 1);
    for (int i = 0; i < events.size(); i++) {
      frames.add(eventTypes == null ? SseBody.frame(events.get(i)) : SseBody.frame(eventTypes.get(i), events.get(i)));
    }
    if (eventTypes == null) frames.add(SseBody.frame(SseBody.DONE));
    return frames;
  }

  /**
   * Anthropic's error shape: {@code {"type": "error", "error": {"type", "message"}, "request_id"}}, with its
   * {@code request-id} header.
   */
  public static Reply anthropicError(int code, String type, String message) {
    String requestId = "req_mock" + Long.toHexString(ANTHROPIC_REQUESTS.incrementAndGet());
    ObjectNode error = Json.object();
    error.put("type", type);
    error.put("message", message);
    ObjectNode root = Json.object();
    root.put("type", "error");
    root.set("error", error);
    root.put("request_id", requestId);
    Reply r = json(code, root);
    r.anthropic = true;
    return r.header("request-id", requestId);
  }

  private static final java.util.concurrent.atomic.AtomicLong ANTHROPIC_REQUESTS = new java.util.concurrent.atomic.AtomicLong();

  /**
   * Says what this reply charges Anthropic's meter: {@code inputEstimate} input tokens and {@code maxTokens}
   * output tokens up front, corrected to {@code inputUsed} (uncached input and cache writes) and
   * {@code outputUsed}.
   */
  Reply anthropicMetering(String model, long inputEstimate, long maxTokens, long inputUsed, long outputUsed) {
    this.anthropic = true;
    this.meterModel = model;
    this.inputEstimate = inputEstimate;
    this.maxTokens = maxTokens;
    this.inputTokensUsed = inputUsed;
    this.outputTokensUsed = outputUsed;
    return this;
  }

  /** OpenAI's error shape: {@code {"error": {"message", "type", "param", "code"}}}. */
  public static Reply error(int code, String message, String type, String param, String errorCode) {
    ObjectNode error = Json.object();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", errorCode);
    ObjectNode root = Json.object();
    root.set("error", error);
    return json(code, root);
  }

  public static Reply badRequest(String message, String param) {
    return error(400, message, "invalid_request_error", param, null);
  }

  public static Reply notFound(String message) {
    return error(404, message, "invalid_request_error", null, "not_found");
  }

  public static Reply methodNotAllowed(String method, String path, String allow) {
    Reply r = error(405, "method " + method + " not allowed on " + path + " (allowed: " + allow + ")",
        "invalid_request_error", null, "method_not_allowed");
    r.headers.put("Allow", allow);
    return r;
  }

  /**
   * Says what this reply charges a provider-style meter: {@code promptEstimate} tokens (prompt characters
   * / 4), plus {@code choices} times {@code maxTokens} (or, when {@code maxTokens < 0}, the configured
   * estimate); then corrected to {@code tokensUsed} (the usage reported).
   */
  Reply metering(String model, long promptEstimate, long maxTokens, int choices, long tokensUsed) {
    this.meterModel = model;
    this.promptEstimate = promptEstimate;
    this.maxTokens = maxTokens;
    this.choices = choices;
    this.tokensUsed = tokensUsed;
    return this;
  }

  /** The meter's token estimate of this reply, given the estimate for a request without {@code max_tokens}. */
  long tokenEstimate(long maxTokensEstimate) {
    return promptEstimate + (long) choices * (maxTokens >= 0 ? maxTokens : maxTokensEstimate);
  }

  /** Copies the {@code x-ratelimit-*} headers of {@code from} onto this reply. */
  Reply withRateLimitHeaders(Reply from) {
    from.headers.forEach((k, v) -> {
      if (k.startsWith("x-ratelimit-") || k.startsWith("anthropic-ratelimit-")) headers.put(k, v);
    });
    return this;
  }

  /** This reply with {@code body} as its raw JSON bytes (used to break JSON on purpose). */
  Reply withBody(byte[] body) {
    return new Reply(code, body, null, tokenCost, headers);
  }

  public Reply header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public String contentType() {
    return contentType;
  }

  public int code() {
    return code;
  }

  public boolean isStream() {
    return events != null;
  }

  public boolean isError() {
    return code >= 400;
  }

  /** The server-sent event payloads of a stream (each one {@code data:} line), or null for JSON. */
  public List<byte[]> events() {
    return events;
  }

  /** The headers to send besides Content-Type and Content-Length. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The JSON body, or null for a stream. */
  public byte[] body() {
    return json;
  }
}
