package dev.fanout.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.CallOptions;
import dev.fanout.internal.telemetry.GenAiRequest;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.messages.ContentBlock;
import dev.fanout.messages.Message;
import dev.fanout.messages.MessageParam;
import dev.fanout.messages.MessageRequest;
import dev.fanout.messages.MessageStreamListener;
import dev.fanout.messages.MessageTokenCount;
import dev.fanout.messages.MessagesService;
import dev.fanout.messages.Tool;
import dev.fanout.messages.ToolChoice;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Anthropic's Messages API on the client's engine: the same retries, deadline, governor, hedging and
 * traces as every other call. The request carries {@code x-api-key} in place of {@code Authorization}, and
 * {@code anthropic-version}. Streams are read with okhttp-sse's parser on the attempt's own call, by a
 * {@link MessageStreamReader}.
 */
final class MessagesServiceImpl implements MessagesService {
  /** The GenAI provider name of Anthropic's API, as the semantic conventions spell it. */
  static final String PROVIDER = "anthropic";

  private final HttpEngine engine;
  private final HttpUrl endpoint;
  private final HttpUrl countEndpoint;
  private final CallOptions options;

  MessagesServiceImpl(HttpEngine engine) {
    this(engine, CallOptions.defaults());
  }

  private MessagesServiceImpl(HttpEngine engine, CallOptions options) {
    this.engine = engine;
    this.endpoint = OpenAi.url(engine, "messages");
    this.countEndpoint = OpenAi.url(engine, "messages/count_tokens");
    this.options = options;
  }

  @Override
  public MessagesService withOptions(CallOptions options) {
    Objects.requireNonNull(options, "options == null");
    return new MessagesServiceImpl(engine, this.options.merge(options));
  }

  @Override
  public Message create(MessageRequest request) {
    return HttpEngine.await(createAsync(request));
  }

  @Override
  public CompletableFuture<Message> createAsync(MessageRequest request) {
    return OpenAi.startJson(engine, request(request, false), Message::fromJson, MessagesServiceImpl::telemetryOf,
        options);
  }

  @Override
  public MessageTokenCount countTokens(MessageRequest request) {
    return HttpEngine.await(countTokensAsync(request));
  }

  /**
   * No telemetry answer, so no usage reaches the governor, and no {@link ChatTag}: the gate puts the call in the
   * endpoint's route bucket with no token estimate, never in the model's bucket that {@code create} charges.
   */
  @Override
  public CompletableFuture<MessageTokenCount> countTokensAsync(MessageRequest request) {
    Objects.requireNonNull(request, "request == null");
    Request http = anthropic(OpenAi.post(engine, countEndpoint, countBody(request)).newBuilder()).build();
    long maxBytes = engine.maxResponseBytes();
    return engine.start(http, (response, call) -> OpenAi.read(response, maxBytes, call.label(),
        MessageTokenCount::fromJson), options);
  }

  @Override
  public Message stream(MessageRequest request, Consumer<String> onText) {
    return HttpEngine.await(streamAsync(request, onText));
  }

  @Override
  public CompletableFuture<Message> streamAsync(MessageRequest request, Consumer<String> onText) {
    Objects.requireNonNull(onText, "onText == null");
    return streamAsync(request, new MessageStreamListener() {
      @Override
      public void onText(int index, String text) {
        onText.accept(text);
      }
    });
  }

  @Override
  public Message stream(MessageRequest request, MessageStreamListener listener) {
    return HttpEngine.await(streamAsync(request, listener));
  }

  @Override
  public CompletableFuture<Message> streamAsync(MessageRequest request, MessageStreamListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    return EventStreamReader.start(engine, request(request, true),
        (call, maxBytes, secrets, response, idle) ->
            new MessageStreamReader(call, listener, maxBytes, secrets, response, idle),
        MessagesServiceImpl::telemetryOf, options);
  }

  /** The POST, with Anthropic's headers in place of the engine's auth header (whichever the scheme names). */
  private Request request(MessageRequest request, boolean stream) {
    Objects.requireNonNull(request, "request == null");
    ObjectNode body = body(request, stream);
    Request.Builder b = anthropic(OpenAi.post(engine, endpoint, body).newBuilder());
    b.tag(GenAiRequest.class, new GenAiRequest(GenAiRequest.Operation.CHAT, PROVIDER,
            Optional.of(request.model()), OptionalInt.of(request.maxTokens()),
            request.temperature() == null ? OptionalDouble.empty() : OptionalDouble.of(request.temperature()), stream))
        // the governor's bucket and estimate, so it never parses the body (nor skips one over its parse limit)
        .tag(ChatTag.class, new ChatTag(request.model(), GovernorGate.promptChars(body), request.maxTokens()));
    return b.build();
  }

  /** Anthropic's headers on {@code b}: {@code x-api-key} in place of the engine's auth header, and the version. */
  private Request.Builder anthropic(Request.Builder b) {
    for (dev.fanout.AuthScheme scheme : dev.fanout.AuthScheme.values()) {
      b.removeHeader(scheme.header()); // the key goes in x-api-key only, whatever the client's scheme
    }
    b.header("anthropic-version", ANTHROPIC_VERSION);
    String key = engine.apiKey();
    if (key != null) {
      b.header("x-api-key", key);
    }
    return b;
  }

  /** Top-level fields of a message body that count_tokens refuses: they shape an answer, not its input. */
  private static final List<String> ANSWER_ONLY = List.of("max_tokens", "temperature", "top_p", "top_k",
      "stop_sequences", "metadata", "service_tier");

  /** The body of a count: the message body without the fields that only shape an answer. */
  static ObjectNode countBody(MessageRequest request) {
    ObjectNode body = body(request, false);
    body.remove(ANSWER_ONLY);
    return body;
  }

  /**
   * What telemetry records of a message. {@code gen_ai.usage.input_tokens} counts every input token, cached
   * or not, as the semantic conventions ask for Anthropic; the governor is told which of them were cache
   * reads, which Anthropic does not count against its input-tokens-per-minute limit.
   */
  static GenAiResponse telemetryOf(Message message) {
    Message.Usage u = message.usage();
    return GenAiResponse.of(message.id(), message.model(),
            message.rawStopReason().map(List::of).orElse(List.of()),
            u.totalInputTokens(), u.outputTokens())
        .withCacheInputTokens(u.cacheCreationInputTokens(), u.cacheReadInputTokens());
  }

  /** The request body in Anthropic's wire form; an option left unset is not sent. */
  static ObjectNode body(MessageRequest request, boolean stream) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", request.model());
    body.put("max_tokens", request.maxTokens());
    if (request.system() != null) {
      body.put("system", request.system());
    } else if (!request.systemBlocks().isEmpty()) {
      ArrayNode system = body.putArray("system");
      for (ContentBlock block : request.systemBlocks()) {
        system.add(block(block));
      }
    }
    ArrayNode messages = body.putArray("messages");
    for (MessageParam m : request.messages()) {
      ObjectNode turn = messages.addObject();
      turn.put("role", m.role().wire());
      ArrayNode content = turn.putArray("content");
      for (ContentBlock block : m.content()) {
        content.add(block(block));
      }
    }
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (request.topP() != null) {
      body.put("top_p", request.topP());
    }
    if (request.topK() != null) {
      body.put("top_k", request.topK());
    }
    if (!request.stopSequences().isEmpty()) {
      ArrayNode stops = body.putArray("stop_sequences");
      request.stopSequences().forEach(stops::add);
    }
    if (!request.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (Tool t : request.tools()) {
        if (t.wire().isPresent()) {
          tools.add(t.wire().get());
          continue;
        }
        ObjectNode tool = tools.addObject();
        tool.put("name", t.name());
        t.description().ifPresent(d -> tool.put("description", d));
        tool.set("input_schema", t.inputSchema());
      }
    }
    ToolChoice choice = request.toolChoice();
    if (choice != null) {
      ObjectNode c = body.putObject("tool_choice");
      c.put("type", choice.type());
      choice.name().ifPresent(n -> c.put("name", n));
      if (choice.isParallelToolUseDisabled()) {
        c.put("disable_parallel_tool_use", true);
      }
    }
    for (Map.Entry<String, Object> e : request.extra().entrySet()) {
      body.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
    }
    if (stream) {
      body.put("stream", true);
    }
    return body;
  }

  /** One content block in its wire form. */
  static ObjectNode block(ContentBlock block) {
    ObjectNode b = Json.MAPPER.createObjectNode();
    if (block instanceof ContentBlock.Text t) {
      b.put("type", "text").put("text", t.text());
      if (!t.citations().isEmpty()) {
        ArrayNode citations = b.putArray("citations");
        t.citations().forEach(c -> citations.add(c.deepCopy()));
      }
    } else if (block instanceof ContentBlock.Image i) {
      b.put("type", "image");
      ObjectNode source = b.putObject("source");
      if (i.url() != null) {
        source.put("type", "url").put("url", i.url());
      } else {
        source.put("type", "base64").put("media_type", i.mediaType()).put("data", i.base64Data());
      }
    } else if (block instanceof ContentBlock.ToolUse u) {
      b.put("type", "tool_use").put("id", u.id()).put("name", u.name());
      b.set("input", u.input());
    } else if (block instanceof ContentBlock.ToolResult r) {
      b.put("type", "tool_result").put("tool_use_id", r.toolUseId());
      if (r.blocks().isEmpty()) {
        b.put("content", r.content());
      } else {
        ArrayNode content = b.putArray("content");
        r.blocks().forEach(one -> content.add(block(one)));
      }
      if (r.isError()) {
        b.put("is_error", true);
      }
    } else if (block instanceof ContentBlock.Other o) {
      return (ObjectNode) o.raw().deepCopy();
    }
    return b;
  }
}
