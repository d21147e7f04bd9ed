package dev.fanout.errors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The server answered with an error status. Carries the status code, the response headers (with
 * credentials such as {@code Authorization}, {@code Cookie} and API-key headers redacted), a bounded copy
 * of the response body, and the request's method and URL (with secret-looking query values redacted).
 *
 * <p>A server may echo the request's credentials back. The SDK takes them out of the body, the message's
 * excerpt of it, the reason phrase and every header value before it cuts any of them (each occurrence,
 * plain or escaped, and any run of 8 or more of the key's characters becomes {@code ██}), so neither the
 * key nor a prefix a cut left of it reaches {@link #body()}, {@link #getMessage()} or {@link #toString()}.
 *
 * <p>Subtypes name the statuses a caller commonly handles: {@link BadRequestException} (400),
 * {@link UnauthorizedException} (401), {@link NotFoundException} (404), {@link RateLimitedException} (429)
 * and {@link ServerException} (5xx). Other statuses are reported as a plain {@code ServiceException}.
 *
 * <p>When the body is an API error in the OpenAI shape, {@code {"error": {"message", "type", "param",
 * "code"}}} (Anthropic's {@code {"type": "error", "error": {"type", "message"}}} too), its fields are read by
 * {@link #errorMessage()}, {@link #errorType()}, {@link #errorCode()} and {@link #errorParam()};
 * {@link #requestId()} is the id to quote to the provider's support.
 */
public class ServiceException extends FanoutException {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final ErrorResponse response;

  /** @param response what the server answered, already redacted and bounded */
  public ServiceException(String message, ErrorResponse response) {
    super(message);
    this.response = Objects.requireNonNull(response, "response == null");
  }

  /** Returns the status, method, URL, headers and body this exception reports, as one value. */
  public ErrorResponse response() {
    return response;
  }

  /** Returns the HTTP status code, such as 429. */
  public int statusCode() {
    return response.statusCode();
  }

  /** Returns the request method, such as {@code GET}. */
  public String method() {
    return response.method();
  }

  /** Returns the request URL, with the values of secret-looking query parameters redacted. */
  public String url() {
    return response.url();
  }

  /**
   * Returns the response headers, names lower-cased, with credential headers redacted and the count
   * bounded.
   */
  public Map<String, List<String>> headers() {
    return response.headers();
  }

  /** Returns the first value of the response header {@code name} (case-insensitive), or {@code null}. */
  public String header(String name) {
    List<String> values = response.headers().get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * Returns the response body as text, truncated to a bounded length (8 KiB for the SDK's own), with the
   * request's credentials redacted; {@code ""} if there was none.
   */
  public String body() {
    return response.body();
  }

  /**
   * Returns the request id the provider assigned, from the {@code x-request-id} header (OpenAI) or
   * {@code request-id} (Anthropic); empty when the response had neither.
   */
  public Optional<String> requestId() {
    String id = header("x-request-id");
    return Optional.ofNullable(id != null ? id : header("request-id"));
  }

  /** Returns the API error's {@code message}, when the body is an API error that has one. */
  public Optional<String> errorMessage() {
    return errorField("message");
  }

  /** Returns the API error's {@code type}, such as {@code invalid_request_error}, when the body has one. */
  public Optional<String> errorType() {
    return errorField("type");
  }

  /**
   * Returns the API error's {@code code}, such as {@code rate_limit_exceeded} or {@code invalid_api_key}
   * (a number as its text), when the body has one.
   */
  public Optional<String> errorCode() {
    return errorField("code");
  }

  /** Returns the API error's {@code param}, the request field it is about, when the body names one. */
  public Optional<String> errorParam() {
    return errorField("param");
  }

  /** The field of the body's {@code error} object (or of the body itself, when it is the error object). */
  private Optional<String> errorField(String name) {
    String body = response.body();
    if (!body.strip().startsWith("{")) { // an HTML page from a proxy, plain text, nothing
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JacksonException notJson) {
      return Optional.empty();
    }
    if (root == null || !root.isObject()) {
      return Optional.empty();
    }
    JsonNode error = root.get("error");
    JsonNode v = (error != null && error.isObject() ? error : root).get(name);
    return v != null && v.isValueNode() && !v.isNull() ? Optional.of(v.asText()) : Optional.empty();
  }
}
