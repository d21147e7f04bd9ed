package dev.fanout.errors;

import java.util.List;
import java.util.Map;
import java.util.Objects;

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
  private final int statusCode;
  private final String method;
  private final String url;
  private final Map<String, List<String>> headers;
  private final String body;

  /**
   * @param headers already redacted and bounded; copied
   * @param body already bounded and redacted (the SDK's own never holds the request's credentials);
   *     {@code ""} when the response had none
   */
  public ServiceException(
      String message,
      int statusCode,
      String method,
      String url,
      Map<String, List<String>> headers,
      String body) {
    super(message);
    this.statusCode = statusCode;
    this.method = Objects.requireNonNull(method, "method == null");
    this.url = Objects.requireNonNull(url, "url == null");
    this.headers = Map.copyOf(Objects.requireNonNull(headers, "headers == null"));
    this.body = Objects.requireNonNull(body, "body == null");
  }

  /** Returns the HTTP status code, such as 429. */
  public int statusCode() {
    return statusCode;
  }

  /** Returns the request method, such as {@code GET}. */
  public String method() {
    return method;
  }

  /** Returns the request URL, with the values of secret-looking query parameters redacted. */
  public String url() {
    return url;
  }

  /**
   * Returns the response headers, names lower-cased, with credential headers redacted and the count
   * bounded.
   */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** Returns the first value of the response header {@code name} (case-insensitive), or {@code null}. */
  public String header(String name) {
    List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /**
   * Returns the response body as text, truncated to a bounded length (8 KiB for the SDK's own), with the
   * request's credentials redacted; {@code ""} if there was none.
   */
  public String body() {
    return body;
  }
}
