package dev.fanout.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.CallOptions;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.telemetry.GenAiResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** What the OpenAI-shaped services share: the {@code /v1} API root rule, JSON bodies in and out. Not public API. */
final class OpenAi {
  private OpenAi() {}

  /**
   * Resolves {@code path} (such as {@code chat/completions}) under the API root: the base URL itself when its
   * path already ends in {@code /v1}, {@code v1/} under it otherwise.
   */
  static HttpUrl url(HttpEngine engine, String path) {
    List<String> segments = engine.baseUrl().pathSegments();
    String last = "";
    for (String s : segments) {
      if (!s.isEmpty()) {
        last = s;
      }
    }
    return engine.resolve(last.equals("v1") ? path : "v1/" + path);
  }

  /** Returns a POST of {@code body} to {@code url}, with the engine's credentials. */
  static Request post(HttpEngine engine, HttpUrl url, ObjectNode body) {
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("request cannot be serialized as JSON: " + e.getOriginalMessage(), e);
    }
    return engine.request("POST", url, RequestBody.create(bytes, HttpEngine.JSON)).build();
  }

  /** Reads a whole (size-capped) response body as a JSON tree; {@code label} names the call in errors. */
  static JsonNode readTree(Response response, long maxBytes, String label) throws IOException {
    byte[] bytes = Bodies.readBounded(response.body(), maxBytes, label);
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (JacksonException e) {
      throw new DecodeException(label + ": response is not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || node.isMissingNode()) {
      throw new DecodeException(label + ": empty response body (HTTP " + response.code() + ")");
    }
    return node;
  }

  /** Prefixes a decode failure's message with the call's label, keeping the original as the cause. */
  static DecodeException labelled(String label, DecodeException e) {
    return new DecodeException(label + ": " + e.getMessage(), e);
  }

  /**
   * Starts {@code request} on {@code engine} as a call answered with JSON: reads the body ({@link #read}, at most
   * the engine's {@code maxResponseBytes}), decodes it with {@code fromJson}, and tells the call what the answer
   * says for telemetry.
   */
  static <T> CompletableFuture<T> startJson(HttpEngine engine, Request request, Function<JsonNode, T> fromJson,
      Function<T, GenAiResponse> telemetry, CallOptions options) {
    long maxBytes = engine.maxResponseBytes();
    return engine.start(request, (response, call) -> {
      T value = read(response, maxBytes, call.label(), fromJson);
      call.genAiResponse(telemetry.apply(value));
      return value;
    }, options);
  }

  /** Reads the response's JSON ({@link #readTree}) and decodes it as {@link #decode} does. */
  static <T> T read(Response response, long maxBytes, String label, Function<JsonNode, T> fromJson)
      throws IOException {
    return decode(label, readTree(response, maxBytes, label), fromJson);
  }

  /** Decodes {@code json} with {@code fromJson}; a {@link DecodeException} it throws gets {@code label} in front. */
  static <J extends JsonNode, T> T decode(String label, J json, Function<? super J, T> fromJson) {
    try {
      return fromJson.apply(json);
    } catch (DecodeException e) {
      throw labelled(label, e);
    }
  }
}
