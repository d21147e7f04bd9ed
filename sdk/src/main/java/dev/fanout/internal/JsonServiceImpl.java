package dev.fanout.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.fanout.CallOptions;
import dev.fanout.json.JsonService;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import okhttp3.RequestBody;

/** Generic JSON calls under the base URL. */
public final class JsonServiceImpl implements JsonService {
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");

  private final HttpEngine engine;
  private final CallOptions options;

  public JsonServiceImpl(HttpEngine engine) {
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
    Objects.requireNonNull(type, "type == null");
    return start(method, path, body, Json.MAPPER.constructType(type));
  }

  @Override
  public <T> CompletableFuture<T> callAsync(String method, String path, Object body, TypeReference<T> type) {
    Objects.requireNonNull(type, "type == null");
    return start(method, path, body, Json.MAPPER.constructType(type));
  }

  @Override
  public <T> T call(String method, String path, Object body, Class<T> type) {
    return HttpEngine.await(callAsync(method, path, body, type));
  }

  @Override
  public <T> T call(String method, String path, Object body, TypeReference<T> type) {
    return HttpEngine.await(callAsync(method, path, body, type));
  }

  private <T> CompletableFuture<T> start(String method, String path, Object body, JavaType type) {
    Objects.requireNonNull(method, "method == null");
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
    return engine.start(
        engine.request(m, engine.resolve(path), requestBody).build(),
        JsonHandlers.of(type, engine.maxResponseBytes()),
        options);
  }
}
