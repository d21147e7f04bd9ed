package dev.fanout.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.TransportException;
import dev.fanout.jobs.internal.LineParser;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The result of one request: a line of OpenAI's Batch API output format,
 * {@code {"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}}.
 *
 * <p>As in OpenAI's output, a request the server answered has a {@code response} (whatever its status,
 * 4xx and 5xx included, after the client's retry policy gave up) and a {@code null} {@code error}; a
 * request with no answer (the connection failed, the deadline passed, the body was not JSON) has a
 * {@code null} {@code response} and an {@code error} with a {@code code} and a {@code message}.
 *
 * @param id this result's id, {@code batch_req_} and 32 hex digits
 * @param customId the request's {@code custom_id}
 * @param response the server's answer, if there was one
 * @param error why there was no answer, if there was none
 */
public record JobResult(String id, String customId, Optional<Response> response, Optional<Error> error) {
  private static final int MAX_REASON_CHARS = 200;

  public JobResult {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(customId, "customId == null");
    Objects.requireNonNull(response, "response == null");
    Objects.requireNonNull(error, "error == null");
    if (response.isPresent() == error.isPresent()) {
      throw new IllegalArgumentException("a result has a response or an error, not both and not neither: " + customId);
    }
  }

  /** The result of a request the server answered with {@code statusCode}, under a new result id. */
  static JobResult answered(String customId, int statusCode, String requestId, JsonNode body) {
    return new JobResult(newId(), customId, Optional.of(new Response(statusCode, requestId, body)), Optional.empty());
  }

  /** The result of a request with no answer: an error with {@code code} and {@code message}. */
  static JobResult failed(String customId, String code, String message) {
    return new JobResult(newId(), customId, Optional.empty(),
        Optional.of(new Error(code, message == null ? "" : message)));
  }

  /**
   * The result of a request whose call failed with {@code e}: the response of an error status (its body as JSON,
   * or as a JSON string), else an error coded {@code timeout}, {@code transport_error}, {@code invalid_response}
   * or {@code error}. A cancelled call has no result: its {@link CancellationException} is thrown again.
   */
  static JobResult of(String customId, Throwable e) {
    if (e instanceof CancellationException cancelled) {
      throw cancelled;
    }
    if (e instanceof ServiceException se) {
      String requestId = se.header("x-request-id");
      return answered(customId, se.statusCode(), requestId == null ? "" : requestId, json(se.body()));
    }
    if (e instanceof FanoutTimeoutException) {
      return failed(customId, "timeout", e.getMessage());
    }
    if (e instanceof TransportException) {
      return failed(customId, "transport_error", e.getMessage());
    }
    if (e instanceof DecodeException) {
      return failed(customId, "invalid_response", e.getMessage());
    }
    return failed(customId, "error", e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  private static JsonNode json(String text) {
    if (text == null) {
      return TextNode.valueOf("");
    }
    try {
      JsonNode node = LineParser.MAPPER.readTree(text);
      return node == null ? TextNode.valueOf(text) : node;
    } catch (java.io.IOException notJson) {
      return TextNode.valueOf(text);
    }
  }

  /** A result id as OpenAI writes them: {@code batch_req_} and 32 hex digits. */
  private static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "batch_req_" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }

  /**
   * The server's answer.
   *
   * @param statusCode the HTTP status
   * @param requestId the server's {@code x-request-id}, or {@code ""} if it sent none
   * @param body the response body: its JSON, or a JSON string if it was not JSON
   */
  public record Response(int statusCode, String requestId, JsonNode body) {
    public Response {
      Objects.requireNonNull(requestId, "requestId == null");
      Objects.requireNonNull(body, "body == null");
    }
  }

  /**
   * Why a request has no answer.
   *
   * @param code what kind of failure: {@code transport_error}, {@code timeout}, {@code invalid_response},
   *     {@code request_error}
   * @param message what happened
   */
  public record Error(String code, String message) {
    public Error {
      Objects.requireNonNull(code, "code == null");
      Objects.requireNonNull(message, "message == null");
    }
  }

  /** Returns whether the server answered with a 2xx. */
  public boolean ok() {
    return response.isPresent() && response.get().statusCode() / 100 == 2;
  }

  /**
   * Returns why this request failed, in one line, if it did: {@code HTTP 400: } and the error body's
   * {@code message} (else the body, cut to 200 characters) for an answer that is not a 2xx;
   * {@code transport_error: } and the message for a request with no answer. Empty for a 2xx.
   */
  public Optional<String> failure() {
    if (ok()) {
      return Optional.empty();
    }
    if (error.isPresent()) {
      return Optional.of(error.get().code() + ": " + error.get().message());
    }
    Response r = response.get();
    JsonNode message = r.body().path("error").path("message");
    String why = message.isTextual() ? message.asText()
        : r.body().isTextual() ? r.body().asText() : r.body().toString();
    why = why.replaceAll("\\s+", " ").strip();
    if (why.length() > MAX_REASON_CHARS) {
      why = why.substring(0, MAX_REASON_CHARS) + "…";
    }
    return Optional.of("HTTP " + r.statusCode() + (why.isEmpty() ? "" : ": " + why));
  }

  /** Returns {@code usage.prompt_tokens} (or {@code input_tokens}) from a 2xx body, if it has one. */
  public OptionalLong inputTokens() {
    return usage("prompt_tokens", "input_tokens");
  }

  /** Returns {@code usage.completion_tokens} (or {@code output_tokens}) from a 2xx body, if it has one. */
  public OptionalLong outputTokens() {
    return usage("completion_tokens", "output_tokens");
  }

  private OptionalLong usage(String name, String alias) {
    if (!ok()) {
      return OptionalLong.empty();
    }
    JsonNode usage = response.get().body().get("usage");
    if (usage == null) {
      return OptionalLong.empty();
    }
    JsonNode n = usage.has(name) ? usage.get(name) : usage.get(alias);
    return n != null && n.canConvertToLong() ? OptionalLong.of(n.asLong()) : OptionalLong.empty();
  }

  /** Returns this result as one line of OpenAI's Batch API output format, without the line break. */
  public String toJsonLine() {
    ObjectNode line = LineParser.MAPPER.createObjectNode();
    line.put("id", id);
    line.put("custom_id", customId);
    if (response.isPresent()) {
      ObjectNode r = line.putObject("response");
      r.put("status_code", response.get().statusCode());
      r.put("request_id", response.get().requestId());
      r.set("body", response.get().body());
      line.putNull("error");
    } else {
      line.putNull("response");
      ObjectNode e = line.putObject("error");
      e.put("code", error.get().code());
      e.put("message", error.get().message());
    }
    try {
      return LineParser.MAPPER.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a line of OpenAI's Batch API output format.
   *
   * @throws IllegalArgumentException if it is not one
   */
  public static JobResult parse(String line) {
    JsonNode root;
    try {
      root = LineParser.MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject() || !root.path("custom_id").isTextual()) {
      throw new IllegalArgumentException("not a result line (no custom_id)");
    }
    JsonNode r = root.get("response");
    JsonNode e = root.get("error");
    Optional<Response> response = r == null || r.isNull() ? Optional.empty() : Optional.of(new Response(
        r.path("status_code").asInt(), r.path("request_id").asText(""),
        r.has("body") ? r.get("body") : LineParser.MAPPER.nullNode()));
    Optional<Error> error = response.isPresent() || e == null || e.isNull() ? Optional.empty()
        : Optional.of(new Error(e.path("code").asText(""), e.path("message").asText("")));
    if (response.isEmpty() && error.isEmpty()) {
      error = Optional.of(new Error("", ""));
    }
    return new JobResult(root.path("id").asText(""), root.get("custom_id").asText(), response, error);
  }
}
