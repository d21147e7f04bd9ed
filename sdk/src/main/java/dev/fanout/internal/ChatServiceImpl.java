package dev.fanout.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.CallOptions;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.chat.ChatService;
import dev.fanout.chat.ChatStreamListener;
import dev.fanout.internal.telemetry.GenAiRequest;
import dev.fanout.internal.telemetry.GenAiResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.sse.EventSources;

/**
 * OpenAI-compatible chat completions. Streams are read with okhttp-sse's parser
 * ({@link EventSources#processResponse}) on the attempt's own call, so a stream gets the same retries,
 * deadline, cancellation and trace as any other call.
 */
final class ChatServiceImpl implements ChatService {
  private final HttpEngine engine;
  private final HttpUrl endpoint;
  private final CallOptions options;

  ChatServiceImpl(HttpEngine engine) {
    this(engine, CallOptions.defaults());
  }

  private ChatServiceImpl(HttpEngine engine, CallOptions options) {
    this.engine = engine;
    this.endpoint = endpoint(engine);
    this.options = options;
  }

  @Override
  public ChatService withOptions(CallOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new ChatServiceImpl(engine, this.options.merge(options));
  }

  /** {@code v1/chat/completions} under the base URL, or {@code chat/completions} if it already ends in /v1. */
  static HttpUrl endpoint(HttpEngine engine) {
    return OpenAi.url(engine, "chat/completions");
  }

  @Override
  public ChatCompletion create(ChatRequest request) {
    return HttpEngine.await(createAsync(request));
  }

  @Override
  public CompletableFuture<ChatCompletion> createAsync(ChatRequest request) {
    return OpenAi.startJson(engine, request(request, false), ChatCompletion::fromJson, ChatServiceImpl::telemetryOf,
        options);
  }

  @Override
  public ChatCompletion stream(ChatRequest request, Consumer<String> onDelta) {
    return HttpEngine.await(streamAsync(request, onDelta));
  }

  @Override
  public CompletableFuture<ChatCompletion> streamAsync(ChatRequest request, Consumer<String> onDelta) {
    Objects.requireNonNull(onDelta, "onDelta == null");
    return start(request, new ChatStreamReader.FirstChoiceText(onDelta));
  }

  @Override
  public ChatCompletion stream(ChatRequest request, ChatStreamListener listener) {
    return HttpEngine.await(streamAsync(request, listener));
  }

  @Override
  public CompletableFuture<ChatCompletion> streamAsync(ChatRequest request, ChatStreamListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    return start(request, listener);
  }

  private CompletableFuture<ChatCompletion> start(ChatRequest request, ChatStreamListener listener) {
    return EventStreamReader.start(engine, request(request, true),
        (call, maxBytes, secrets, response, idle) ->
            new ChatStreamReader(call, listener, maxBytes, secrets, response, idle),
        ChatServiceImpl::telemetryOf, options);
  }

  private Request request(ChatRequest request, boolean stream) {
    Objects.requireNonNull(request, "request == null");
    Integer maxTokens = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
    ObjectNode body = body(request, stream);
    return OpenAi.post(engine, endpoint, body).newBuilder()
        .tag(GenAiRequest.class, GenAiRequest.chat(request.model(), maxTokens, request.temperature(), stream))
        .tag(ChatTag.class, new ChatTag(request.model(), GovernorGate.promptChars(body),
            maxTokens == null ? -1 : Math.max(0, maxTokens)))
        .build();
  }

  /** What telemetry records of a completion: id, model, finish reasons and token usage. */
  static GenAiResponse telemetryOf(ChatCompletion completion) {
    List<String> reasons = new ArrayList<>();
    for (ChatCompletion.Choice choice : completion.choices()) {
      choice.rawFinishReason().ifPresent(reasons::add);
    }
    Optional<ChatCompletion.Usage> usage = completion.usage();
    GenAiResponse response = GenAiResponse.of(completion.id(), completion.model(), reasons,
        usage.map(u -> (long) u.promptTokens()).orElse(null),
        usage.map(u -> (long) u.completionTokens()).orElse(null));
    OptionalInt cached = usage.map(ChatCompletion.Usage::cachedTokens).orElse(OptionalInt.empty());
    return cached.isPresent() ? response.withCachedInputTokens(cached.getAsInt()) : response;
  }

  /** The request body in OpenAI's wire form: {@link ChatRequest#toJsonNode()}, and a stream's fields. */
  static ObjectNode body(ChatRequest request, boolean stream) {
    ObjectNode body = request.toJsonNode();
    if (stream) {
      body.put("stream", true);
      if (request.streamUsage()) {
        body.putObject("stream_options").put("include_usage", true);
      }
    }
    return body;
  }
}
