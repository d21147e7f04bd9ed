package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.langchain4j.internal.ChatMapping;
import dev.fanout.langchain4j.internal.ChatSettings;
import dev.fanout.langchain4j.internal.Exceptions;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A LangChain4j {@link ChatModel} that sends its requests through a {@link FanoutClient}: OpenAI's chat
 * completions wire format, with Fanout's retries, deadlines, cancellation, concurrency limit and traces.
 * Built like {@code OpenAiChatModel}: {@code FanoutChatModel.builder().client(client).modelName("gpt-4o-mini")
 * .temperature(0.2).build()}.
 *
 * <p>Messages (system, user text and images, AI with tool execution requests, tool execution results), tools
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
public final class FanoutChatModel extends ModelBase<ChatSettings> implements ChatModel {
  private static final Logger log = LoggerFactory.getLogger(FanoutChatModel.class);

  private FanoutChatModel(ChatSettings settings) {
    super(settings, ModelProvider.OPEN_AI);
  }

  /** Returns a builder; {@code client} and {@code modelName} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ChatResponse doChat(ChatRequest chatRequest) {
    dev.fanout.chat.ChatRequest request = ChatMapping.toFanout(chatRequest, settings);
    if (settings.logRequests()) {
      log.info("request: {}", request.toJson());
    }
    ChatCompletion completion = Exceptions.mapped(() -> settings.chat().create(request));
    if (settings.logResponses()) {
      log.info("response: {}", completion.raw());
    }
    return ChatMapping.toLangChain4j(completion);
  }

  /**
   * Builds a {@link FanoutChatModel}. Option names are {@code OpenAiChatModel.builder()}'s; an option set here takes
   * precedence over the same parameter in {@link #defaultRequestParameters}, and a request's own parameters
   * take precedence over both. Every option left unset is not sent, so the server's default applies.
   */
  public static final class Builder extends ChatModelBuilder<Builder> {
    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /**
     * Returns the model.
     *
     * @throws NullPointerException if {@code client} is missing or a listener is null
     * @throws IllegalArgumentException naming the option and value that is out of range
     */
    public FanoutChatModel build() {
      return new FanoutChatModel(settings());
    }
  }
}
