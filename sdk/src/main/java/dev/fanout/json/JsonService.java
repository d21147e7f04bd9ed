package dev.fanout.json;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.concurrent.CompletableFuture;

/**
 * Calls to any JSON endpoint of your own API: a method, a path under the client's base URL and an optional
 * body (serialized with Jackson), answered by a JSON body read as a Jackson type. Obtain it from
 * {@link dev.fanout.FanoutClient#json()}.
 *
 * <p>Paths are relative to the base URL: with base URL {@code https://api.example.com/v2/},
 * {@code "search?q=x"} and {@code "/search?q=x"} both mean {@code https://api.example.com/v2/search?q=x}.
 * Absolute URLs are rejected, so the API key is never sent to another host. Put query values through
 * {@link java.net.URLEncoder} yourself.
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
