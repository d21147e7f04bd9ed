package dev.fanout.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A successful (2xx) JSON response with its status code and headers: ask {@link JsonService} for this type
 * when the body alone is not enough (the {@code x-request-id} a provider asks you to quote, its
 * {@code x-ratelimit-*} headers). Responses that are not 2xx fail the call with a
 * {@link dev.fanout.errors.ServiceException}, which carries the same three things.
 *
 * @param statusCode the HTTP status code, 200 to 299
 * @param headers the response headers, names in lower case, values in the order received
 * @param body the response body as a JSON tree ({@code NullNode} for a literal {@code null})
 */
public record JsonResponse(int statusCode, Map<String, List<String>> headers, JsonNode body) {
  public JsonResponse {
    Objects.requireNonNull(headers, "headers == null");
    Objects.requireNonNull(body, "body == null");
    headers = Map.copyOf(headers);
  }

  /** Returns the first value of header {@code name} (any case), if the response has it. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
