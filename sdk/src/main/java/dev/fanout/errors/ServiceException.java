package dev.fanout.errors;

import com.fasterxml.jackson.databind.JsonNode;
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
 */
public class ServiceException extends FanoutException {
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
   * Returns the error's type as the body names it ({@code error.type}: Anthropic's
   * {@code overloaded_error}, OpenAI's {@code invalid_request_error}, ...); empty when the body is not
   * such a JSON object.
   */
  public Optional<String> errorType() {
    JsonNode type = ErrorBodies.parse(response.body()).path("error").path("type");
    return type.isTextual() ? Optional.of(type.asText()) : Optional.empty();
  }

  /**
   * Returns the id the server gave the request, to quote when you report a problem: the {@code request-id}
   * header (Anthropic's), else {@code x-request-id} (OpenAI's), else the body's {@code request_id}; empty
   * when none is there.
   */
  public Optional<String> requestId() {
    for (String name : new String[] {"request-id", "x-request-id"}) {
      String v = header(name);
      if (v != null && !v.isBlank()) {
        return Optional.of(v.strip());
      }
    }
    JsonNode id = ErrorBodies.parse(response.body()).path("request_id");
    return id.isTextual() ? Optional.of(id.asText()) : Optional.empty();
  }
}
