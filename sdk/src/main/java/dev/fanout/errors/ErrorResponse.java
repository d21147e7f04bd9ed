package dev.fanout.errors;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ServiceException} says about the failed exchange: the status code, the request's method and
 * URL, the response headers and a bounded copy of its body.
 *
 * @param statusCode the HTTP status code, such as 429
 * @param method the request method, such as {@code GET}
 * @param url the request URL, with the values of secret-looking query parameters already redacted
 * @param headers the response headers, names lower-cased, already redacted and bounded; copied
 * @param body the response body, already bounded and redacted (the SDK's own never holds the request's
 *     credentials); {@code ""} when the response had none
 */
public record ErrorResponse(
    int statusCode, String method, String url, Map<String, List<String>> headers, String body) {

  public ErrorResponse {
    Objects.requireNonNull(method, "method == null");
    Objects.requireNonNull(url, "url == null");
    headers = Map.copyOf(Objects.requireNonNull(headers, "headers == null"));
    Objects.requireNonNull(body, "body == null");
  }
}
