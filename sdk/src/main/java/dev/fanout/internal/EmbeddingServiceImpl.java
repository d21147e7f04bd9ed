package dev.fanout.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.CallOptions;
import dev.fanout.embeddings.EmbeddingRequest;
import dev.fanout.embeddings.EmbeddingResponse;
import dev.fanout.embeddings.EmbeddingService;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.telemetry.GenAiRequest;
import dev.fanout.internal.telemetry.GenAiResponse;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.Request;

/** {@code POST [v1/]embeddings} under the base URL, read as {@link EmbeddingResponse}. */
final class EmbeddingServiceImpl implements EmbeddingService {
  private final HttpEngine engine;
  private final HttpUrl endpoint;
  private final CallOptions options;

  EmbeddingServiceImpl(HttpEngine engine) {
    this(engine, CallOptions.defaults());
  }

  private EmbeddingServiceImpl(HttpEngine engine, CallOptions options) {
    this.engine = engine;
    this.endpoint = OpenAi.url(engine, "embeddings");
    this.options = options;
  }

  @Override
  public EmbeddingService withOptions(CallOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new EmbeddingServiceImpl(engine, this.options.merge(options));
  }

  @Override
  public EmbeddingResponse create(EmbeddingRequest request) {
    return HttpEngine.await(createAsync(request));
  }

  @Override
  public CompletableFuture<EmbeddingResponse> createAsync(EmbeddingRequest request) {
    Objects.requireNonNull(request, "request == null");
    int expected = request.input().size();
    Request http = OpenAi.post(engine, endpoint, body(request)).newBuilder()
        .tag(GenAiRequest.class, GenAiRequest.embeddings(request.model()))
        .build();
    return OpenAi.startJson(engine, http, json -> oneForEachInput(EmbeddingResponse.fromJson(json), expected),
        EmbeddingServiceImpl::telemetryOf, options);
  }

  /** Fails unless {@code result} has one vector for each of the {@code expected} inputs. */
  private static EmbeddingResponse oneForEachInput(EmbeddingResponse result, int expected) {
    if (result.embeddings().size() != expected) {
      throw new DecodeException(expected + " inputs but " + result.embeddings().size() + " embeddings");
    }
    return result;
  }

  private static GenAiResponse telemetryOf(EmbeddingResponse result) {
    EmbeddingResponse.Usage usage = result.usage();
    return GenAiResponse.of(null, result.model(), List.of(), usage == null ? null : (long) usage.promptTokens(), null);
  }

  static ObjectNode body(EmbeddingRequest request) {
    ObjectNode body = Json.objectNode();
    body.put("model", request.model());
    body.set("input", Json.valueToTree(request.input()));
    if (request.dimensions() != null) {
      body.put("dimensions", request.dimensions());
    }
    body.put("encoding_format", request.encodingFormat().wireValue());
    if (request.user() != null) {
      body.put("user", request.user());
    }
    for (Map.Entry<String, Object> e : request.extra().entrySet()) {
      body.set(e.getKey(), Json.valueToTree(e.getValue()));
    }
    return body;
  }
}
