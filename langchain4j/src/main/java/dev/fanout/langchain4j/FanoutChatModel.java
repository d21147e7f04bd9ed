package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.langchain4j.internal.ChatMapping;
import dev.fanout.langchain4j.internal.ChatSettings;
import dev.fanout.langchain4j.internal.Exceptions;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.exception.LangChain4jException;
import java.util.Arrays;
import java.util.List;

/**
 * A LangChain4j {@link ChatModel} that sends its requests through a {@link FanoutClient}: OpenAI's chat
 * completions wire format, with Fanout's retries, deadlines, cancellation, concurrency limit and traces.
 * Built like {@code OpenAiChatModel}: {@code FanoutChatModel.builder().client(client).modelName("gpt-4o-mini")
 * .temperature(0.2).build()}.
 *
 * <p>Messages (system, user text, AI with tool execution requests, tool execution results), tools
 * ({@code ToolSpecification}s, their JSON schema as OpenAI takes it), tool choice, response format (JSON
 * or a JSON schema), token usage and finish reasons map one for one; listeners are called by LangChain4j's
 * {@link ChatModel#chat(ChatRequest)} around {@link #doChat(ChatRequest)}. Failures are LangChain4j's
 * exception types ({@code RateLimitException}, {@code AuthenticationException}, {@code TimeoutException},
 * ...) with Fanout's exception as the cause; retries are the client's {@code RetryPolicy}, so there is no
 * {@code maxRetries} here.
 *
 * <p>A call made inside a Fanout fan-out task, or on an executor wrapped by a {@code FanoutContext}, shares
 * that task's deadline and is cancelled with it. This model does not own the client: closing the client is
 * the caller's job. Thread-safe; share one per client.
 */
public final class FanoutChatModel implements ChatModel {
  private final ChatSettings settings;

  private FanoutChatModel(ChatSettings settings) {
    this.settings = settings;
  }

  /** Returns a builder; {@code client} and {@code modelName} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ChatResponse doChat(ChatRequest chatRequest) {
    dev.fanout.chat.ChatRequest request = ChatMapping.toFanout(chatRequest, settings);
    ChatCompletion completion;
    try {
      completion = settings.client().chat().create(request);
    } catch (LangChain4jException e) {
      throw e;
    } catch (RuntimeException e) {
      throw Exceptions.toLangChain4j(e);
    }
    return ChatMapping.toLangChain4j(completion);
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
    return "FanoutChatModel{modelName=" + settings.defaultRequestParameters().modelName() + "}";
  }

  /**
   * Builds a {@link FanoutChatModel}. Option names are {@code OpenAiChatModel.builder()}'s; an option set
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
    public FanoutChatModel build() {
      return new FanoutChatModel(raw.build());
    }
  }
}
