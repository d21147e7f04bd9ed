package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.internal.AnthropicMapping;
import dev.fanout.langchain4j.internal.AnthropicSettings;
import dev.fanout.langchain4j.internal.Exceptions;
import dev.fanout.messages.Message;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A LangChain4j {@link ChatModel} on Anthropic's Messages API through a {@link FanoutClient}
 * ({@code client.messages()}: {@code x-api-key}, {@code anthropic-version}), with Fanout's retries,
 * deadlines, cancellation, rate-limit governor and traces. Built like {@code AnthropicChatModel}:
 * {@code FanoutAnthropicChatModel.builder().client(client).modelName("claude-sonnet-4-5").maxTokens(1024).build()}.
 *
 * <p>System messages become {@code system}; user text and images, AI messages with tool execution
 * requests ({@code tool_use}) and tool execution results ({@code tool_result}) map one for one; tools,
 * tool choice, token usage and finish reasons too ({@code tool_use} as {@code TOOL_EXECUTION},
 * {@code max_tokens} as {@code LENGTH}). Failures are LangChain4j's exception types with Fanout's exception
 * as the cause. Not supported: a JSON response format, prompt caching and extended thinking options.
 *
 * <p>This model does not own the client. Thread-safe; share one per client.
 */
public final class FanoutAnthropicChatModel extends ModelBase<AnthropicSettings> implements ChatModel {
  private FanoutAnthropicChatModel(AnthropicSettings settings) {
    super(settings, ModelProvider.ANTHROPIC);
  }

  /** Returns a builder; {@code client} and {@code modelName} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ChatResponse doChat(ChatRequest chatRequest) {
    dev.fanout.messages.MessageRequest request = AnthropicMapping.toFanout(chatRequest, settings);
    Message message = Exceptions.mapped(() -> settings.client().messages().create(request));
    return AnthropicMapping.toLangChain4j(message);
  }

  /** Builds a {@link FanoutAnthropicChatModel}; option names are {@code AnthropicChatModel.builder()}'s. */
  public static final class Builder extends AnthropicModelBuilder<Builder> {
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
    public FanoutAnthropicChatModel build() {
      return new FanoutAnthropicChatModel(settings());
    }
  }
}
