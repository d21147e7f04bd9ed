package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.internal.ChatMapping;
import dev.fanout.langchain4j.internal.ChatSettings;
import dev.fanout.langchain4j.internal.Exceptions;
import dev.fanout.langchain4j.internal.StreamBridge;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.Arrays;
import java.util.List;

/**
 * A LangChain4j {@link StreamingChatModel} that streams its completions through a {@link FanoutClient}
 * (OpenAI's server-sent events, {@code stream_options.include_usage} on, so the final response has its
 * token usage). Built like {@code OpenAiStreamingChatModel}, with the same options as {@link FanoutChatModel}:
 * {@code FanoutStreamingChatModel.builder().client(client).modelName("gpt-4o-mini").build()}.
 *
 * <p>The handler receives each text delta ({@code onPartialResponse(PartialResponse, PartialResponseContext)}),
 * each tool-call fragment ({@code onPartialToolCall}), each finished tool call ({@code onCompleteToolCall}),
 * then {@code onCompleteResponse} with the assembled {@code AiMessage}, usage and finish reason, or
 * {@code onError} with a LangChain4j exception. Callbacks run on one OkHttp thread at a time and must not
 * block.
 *
 * <h2>Cancelling ends the HTTP call.</h2>
 * {@code context.streamingHandle().cancel()} from any callback (or later, from any thread) cancels the
 * Fanout call: the stream's connection is closed and the handler hears nothing more, neither
 * {@code onCompleteResponse} nor {@code onError}.
 *
 * <p>A failed attempt is retried by the client only while nothing has reached the handler, so no delta is
 * seen twice. This model does not own the client. Thread-safe; share one per client.
 */
public final class FanoutStreamingChatModel implements StreamingChatModel {
  private final ChatSettings settings;

  private FanoutStreamingChatModel(ChatSettings settings) {
    this.settings = settings;
  }

  /** Returns a builder; {@code client} and {@code modelName} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void doChat(ChatRequest chatRequest, StreamingChatResponseHandler handler) {
    dev.fanout.chat.ChatRequest request;
    try {
      request = ChatMapping.toFanout(chatRequest, settings).newBuilder().streamUsage(true).build();
    } catch (RuntimeException e) {
      handler.onError(Exceptions.toLangChain4j(e));
      return;
    }
    StreamBridge.start(settings.client(), request, handler);
  }

  @Override
  public ChatRequestParameters defaultRequestParameters() {
    return settings.defaultRequestParameters();
  }

  @Override
  public List<ChatModelListener> listeners() {
    return settings.listeners();
  }

  /** Returns {@link ModelProvider#OTHER}: the server behind the client may be OpenAI or any compatible one. */
  @Override
  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  @Override
  public String toString() {
    return "FanoutStreamingChatModel{modelName=" + settings.defaultRequestParameters().modelName() + "}";
  }

  /**
   * Builds a {@link FanoutStreamingChatModel}. Option names are {@code OpenAiChatModel.builder()}'s; an option set
   * here takes precedence over the same parameter in {@link #defaultRequestParameters}, and a request's own
   * parameters take precedence over both. Every option left unset is not sent, so the server's default applies.
   */
  public static final class Builder {
    private final ChatSettings.Raw raw = new ChatSettings.Raw();

    private Builder() {}

    /** The client every request goes through; required. This model does not close it. */
    public Builder client(FanoutClient client) {
      raw.client = client;
      return this;
    }

    /**
     * Default common parameters (any {@link ChatRequestParameters}, tools and tool choice included).
     * Defaults to none.
     */
    public Builder defaultRequestParameters(ChatRequestParameters parameters) {
      raw.defaultRequestParameters = parameters;
      return this;
    }

    /** The model, such as {@code gpt-4o-mini}; required here or in {@link #defaultRequestParameters}. */
    public Builder modelName(String modelName) {
      raw.modelName = modelName;
      return this;
    }

    /** Sampling temperature, 0 to 2 ({@code temperature}). Defaults to not sent. */
    public Builder temperature(Double temperature) {
      raw.temperature = temperature;
      return this;
    }

    /** Nucleus sampling, 0 to 1 ({@code top_p}). Defaults to not sent. */
    public Builder topP(Double topP) {
      raw.topP = topP;
      return this;
    }

    /** Up to 4 stop sequences ({@code stop}). Defaults to none. */
    public Builder stop(List<String> stop) {
      raw.stop = stop;
      return this;
    }

    /** As {@link #stop(List)}. Defaults to none. */
    public Builder stop(String... stop) {
      raw.stop = stop == null ? null : Arrays.asList(stop);
      return this;
    }

    /** The answer's token limit, at least 1 ({@code max_tokens}). Defaults to not sent. */
    public Builder maxTokens(Integer maxTokens) {
      raw.maxTokens = maxTokens;
      return this;
    }

    /**
     * The completion's token limit, reasoning included, at least 1 ({@code max_completion_tokens}; reasoning
     * models take this one). Defaults to not sent.
     */
    public Builder maxCompletionTokens(Integer maxCompletionTokens) {
      raw.maxCompletionTokens = maxCompletionTokens;
      return this;
    }

    /** -2 to 2 ({@code presence_penalty}). Defaults to not sent. */
    public Builder presencePenalty(Double presencePenalty) {
      raw.presencePenalty = presencePenalty;
      return this;
    }

    /** -2 to 2 ({@code frequency_penalty}). Defaults to not sent. */
    public Builder frequencyPenalty(Double frequencyPenalty) {
      raw.frequencyPenalty = frequencyPenalty;
      return this;
    }

    /** {@code seed}, for best-effort deterministic sampling. Defaults to not sent. */
    public Builder seed(Integer seed) {
      raw.seed = seed;
      return this;
    }

    /** An end-user id for abuse monitoring ({@code user}), not blank. Defaults to not sent. */
    public Builder user(String user) {
      raw.user = user;
      return this;
    }

    /** Whether the model may call several tools in one turn ({@code parallel_tool_calls}). Defaults to not sent (OpenAI: true). */
    public Builder parallelToolCalls(Boolean parallelToolCalls) {
      raw.parallelToolCalls = parallelToolCalls;
      return this;
    }

    /**
     * Whether tools without their own {@code strict} setting are sent with {@code strict: true} (and
     * {@code additionalProperties: false}). Defaults to false.
     */
    public Builder strictTools(Boolean strictTools) {
      raw.strictTools = strictTools;
      return this;
    }

    /** Whether a JSON-schema response format is sent with {@code strict: true}. Defaults to false. */
    public Builder strictJsonSchema(Boolean strictJsonSchema) {
      raw.strictJsonSchema = strictJsonSchema;
      return this;
    }

    /**
     * The response format: {@link ResponseFormat#TEXT}, {@link ResponseFormat#JSON} or JSON with a
     * {@code JsonSchema} ({@code response_format} {@code json_schema}). Defaults to text.
     */
    public Builder responseFormat(ResponseFormat responseFormat) {
      raw.responseFormat = responseFormat;
      return this;
    }

    /** Listeners that observe every request, response and error, in order. Defaults to none. */
    public Builder listeners(List<ChatModelListener> listeners) {
      raw.listeners(listeners);
      return this;
    }

    /**
     * Returns the model.
     *
     * @throws NullPointerException if {@code client} is missing or a listener is null
     * @throws IllegalArgumentException naming the option and value that is out of range
     */
    public FanoutStreamingChatModel build() {
      return new FanoutStreamingChatModel(raw.build());
    }
  }
}
