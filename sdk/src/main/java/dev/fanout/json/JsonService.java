package dev.fanout.json;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Calls to any JSON endpoint of your own API: a method, a path under the client's base URL and an optional
 * body (serialized with Jackson), answered by a JSON body read as a Jackson type. Obtain it from
 * {@link dev.fanout.FanoutClient#json()}.
 *
 * <h2>Paths resolve like links</h2>
 * A path is a URL reference resolved against the base URL (RFC 3986, as Retrofit and browsers do). With base
 * URL {@code https://api.example.com/v1/}:
 * <ul>
 *   <li>{@code "search"} is {@code https://api.example.com/v1/search} (under the base path);
 *   <li>{@code "/search"} is {@code https://api.example.com/search} (from the host's root: another service
 *       on the same host, with the same client);
 *   <li>{@code "../v2/search"} is {@code https://api.example.com/v2/search}.
 * </ul>
 * The result must stay on the base URL's scheme, host and port, so the API key is never sent elsewhere: an
 * absolute URL to another origin ({@code "https://other.example/x"}, {@code "//other.example/x"}) throws
 * {@link IllegalArgumentException}.
 *
 * <h2>Query parameters are encoded for you</h2>
 * {@code get("search", Map.of("k", 3, "q", "fan out & more"), JsonNode.class)} sends
 * {@code search?k=3&q=fan%20out%20%26%20more}: names and values are percent-encoded, a value is
 * {@link String#valueOf(Object) String.valueOf} of it, an {@link Iterable} or array repeats the parameter
 * ({@code ids=1&ids=2}), parameters follow the map's iteration order (pass a {@link java.util.LinkedHashMap}
 * to fix it) after any already in the path. A {@code null} name or value throws
 * {@link IllegalArgumentException} naming it.
 *
 * <p>Type {@code Void} (or {@code TypeReference<Void>}) ignores the response body and yields {@code null};
 * {@code JsonNode} yields the tree; {@link JsonResponse} yields the tree with the status code and headers.
 * Every call is retried by the client's {@link dev.fanout.RetryPolicy},
 * whatever its method.
 *
 * <p>Async methods return a future whose cancellation cancels the HTTP call; they throw synchronously only
 * for invalid arguments ({@link IllegalArgumentException}), before any request is made.
 */
public interface JsonService {

  /** Sends {@code method path} with {@code body} (may be {@code null}) and reads the answer as {@code type}. */
  <T> CompletableFuture<T> callAsync(String method, String path, Object body, Class<T> type);

  /** Sends {@code method path} with {@code body} (may be {@code null}) and reads the answer as {@code type}. */
  <T> CompletableFuture<T> callAsync(String method, String path, Object body, TypeReference<T> type);

  /** Blocking form of {@link #callAsync(String, String, Object, Class)}. */
  <T> T call(String method, String path, Object body, Class<T> type);

  /** Blocking form of {@link #callAsync(String, String, Object, TypeReference)}. */
  <T> T call(String method, String path, Object body, TypeReference<T> type);

  /**
   * Sends {@code method path} with the {@code query} parameters encoded and appended, and {@code body} (may be
   * {@code null}), and reads the answer as {@code type}.
   */
  <T> CompletableFuture<T> callAsync(String method, String path, Map<String, ?> query, Object body, Class<T> type);

  /** As {@link #callAsync(String, String, Map, Object, Class)}, read as {@code type}. */
  <T> CompletableFuture<T> callAsync(String method, String path, Map<String, ?> query, Object body,
      TypeReference<T> type);

  /** Blocking form of {@link #callAsync(String, String, Map, Object, Class)}. */
  <T> T call(String method, String path, Map<String, ?> query, Object body, Class<T> type);

  /** Blocking form of {@link #callAsync(String, String, Map, Object, TypeReference)}. */
  <T> T call(String method, String path, Map<String, ?> query, Object body, TypeReference<T> type);

  /** Sends {@code GET path} with the {@code query} parameters encoded: {@code get("search", Map.of("q", text), T.class)}. */
  default <T> T get(String path, Map<String, ?> query, Class<T> type) {
    return call("GET", path, query, null, type);
  }

  /** As {@link #get(String, Map, Class)}, read as {@code type}. */
  default <T> T get(String path, Map<String, ?> query, TypeReference<T> type) {
    return call("GET", path, query, null, type);
  }

  /** Async form of {@link #get(String, Map, Class)}. */
  default <T> CompletableFuture<T> getAsync(String path, Map<String, ?> query, Class<T> type) {
    return callAsync("GET", path, query, null, type);
  }

  /** Async form of {@link #get(String, Map, TypeReference)}. */
  default <T> CompletableFuture<T> getAsync(String path, Map<String, ?> query, TypeReference<T> type) {
    return callAsync("GET", path, query, null, type);
  }

  default <T> T get(String path, Class<T> type) {
    return call("GET", path, null, type);
  }

  default <T> T get(String path, TypeReference<T> type) {
    return call("GET", path, null, type);
  }

  default <T> CompletableFuture<T> getAsync(String path, Class<T> type) {
    return callAsync("GET", path, null, type);
  }

  default <T> CompletableFuture<T> getAsync(String path, TypeReference<T> type) {
    return callAsync("GET", path, null, type);
  }

  default <T> T post(String path, Object body, Class<T> type) {
    return call("POST", path, body, type);
  }

  default <T> T post(String path, Object body, TypeReference<T> type) {
    return call("POST", path, body, type);
  }

  default <T> CompletableFuture<T> postAsync(String path, Object body, Class<T> type) {
    return callAsync("POST", path, body, type);
  }

  default <T> CompletableFuture<T> postAsync(String path, Object body, TypeReference<T> type) {
    return callAsync("POST", path, body, type);
  }

  /**
   * Returns a view of this service whose calls use {@code options} (timeout, extra headers, retry policy,
   * label, context) on top of this view's own. The view is as cheap as a small object and as thread-safe
   * as this one.
   */
  JsonService withOptions(dev.fanout.CallOptions options);

  /**
   * Returns a view of this service whose calls are bound to {@code context} from any thread: its
   * deadline, its cancellation and its fan-out's trace. Same as
   * {@code withOptions(CallOptions.builder().context(context).build())}.
   */
  default JsonService withContext(dev.fanout.FanoutContext context) {
    return withOptions(dev.fanout.CallOptions.builder().context(context).build());
  }
}
