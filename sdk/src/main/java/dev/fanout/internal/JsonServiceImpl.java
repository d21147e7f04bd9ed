package dev.fanout.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.fanout.CallOptions;
import dev.fanout.json.JsonService;
import java.lang.reflect.Array;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;

/** Generic JSON calls under the base URL. */
final class JsonServiceImpl implements JsonService {
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  private final HttpEngine engine;
  private final CallOptions options;

  JsonServiceImpl(HttpEngine engine) {
    this(engine, CallOptions.defaults());
  }

  private JsonServiceImpl(HttpEngine engine, CallOptions options) {
    this.engine = engine;
    this.options = options;
  }

  @Override
  public JsonService withOptions(CallOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new JsonServiceImpl(engine, this.options.merge(options));
  }

  @Override
  public <T> CompletableFuture<T> callAsync(String method, String path, Object body, Class<T> type) {
    return callAsync(method, path, Map.of(), body, type);
  }

  @Override
  public <T> CompletableFuture<T> callAsync(String method, String path, Object body, TypeReference<T> type) {
    return callAsync(method, path, Map.of(), body, type);
  }

  @Override
  public <T> CompletableFuture<T> callAsync(String method, String path, Map<String, ?> query, Object body,
      Class<T> type) {
    Objects.requireNonNull(type, "type == null");
    return start(method, path, query, body, Json.MAPPER.constructType(type));
  }

  @Override
  public <T> CompletableFuture<T> callAsync(String method, String path, Map<String, ?> query, Object body,
      TypeReference<T> type) {
    Objects.requireNonNull(type, "type == null");
    return start(method, path, query, body, Json.MAPPER.constructType(type));
  }

  @Override
  public <T> T call(String method, String path, Map<String, ?> query, Object body, Class<T> type) {
    return HttpEngine.await(callAsync(method, path, query, body, type));
  }

  @Override
  public <T> T call(String method, String path, Map<String, ?> query, Object body, TypeReference<T> type) {
    return HttpEngine.await(callAsync(method, path, query, body, type));
  }

  @Override
  public <T> T call(String method, String path, Object body, Class<T> type) {
    return HttpEngine.await(callAsync(method, path, body, type));
  }

  @Override
  public <T> T call(String method, String path, Object body, TypeReference<T> type) {
    return HttpEngine.await(callAsync(method, path, body, type));
  }

  private <T> CompletableFuture<T> start(String method, String path, Map<String, ?> query, Object body,
      JavaType type) {
    Objects.requireNonNull(method, "method == null");
    Objects.requireNonNull(query, "query == null");
    String m = method.toUpperCase(Locale.ROOT);
    if (!METHODS.contains(m)) {
      throw new IllegalArgumentException("unsupported method: " + method);
    }
    if (body != null && (m.equals("GET") || m.equals("HEAD"))) {
      throw new IllegalArgumentException(m + " cannot have a body");
    }
    RequestBody requestBody = null;
    if (body != null) {
      try {
        requestBody = RequestBody.create(Json.MAPPER.writeValueAsBytes(body), HttpEngine.JSON);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            "body cannot be serialized as JSON: " + body.getClass().getName() + ": " + e.getOriginalMessage(), e);
      }
    }
    HttpUrl url = withQuery(engine.resolve(path), query); // validated before any request
    return engine.start(
        engine.request(m, url, requestBody).build(),
        JsonHandlers.of(type, engine.maxResponseBytes()),
        options);
  }

  /** {@code url} with {@code query} appended, percent-encoded; an Iterable or array value repeats its name. */
  static HttpUrl withQuery(HttpUrl url, Map<String, ?> query) {
    if (query.isEmpty()) {
      return url;
    }
    HttpUrl.Builder b = url.newBuilder();
    for (Map.Entry<String, ?> e : query.entrySet()) {
      String name = e.getKey();
      if (name == null) {
        throw new IllegalArgumentException("query parameter name == null");
      }
      Object value = e.getValue();
      if (value instanceof Iterable<?> values) {
        for (Object v : values) {
          b.addQueryParameter(name, text(name, v));
        }
      } else if (value != null && value.getClass().isArray()) {
        for (int i = 0, n = Array.getLength(value); i < n; i++) {
          b.addQueryParameter(name, text(name, Array.get(value, i)));
        }
      } else {
        b.addQueryParameter(name, text(name, value));
      }
    }
    return b.build();
  }

  private static String text(String name, Object value) {
    if (value == null) {
      throw new IllegalArgumentException("query parameter " + name + " == null");
    }
    return String.valueOf(value);
  }
}
