package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.internal.AnthropicMapping;
import dev.fanout.langchain4j.internal.AnthropicSettings;
import dev.fanout.langchain4j.internal.AnthropicStreamBridge;
import dev.fanout.langchain4j.internal.Exceptions;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * A LangChain4j {@link StreamingChatModel} on Anthropic's Messages API through a {@link FanoutClient}
 * (server-sent events assembled by {@code client.messages().streamAsync}). Built like
 * {@code AnthropicStreamingChatModel}, with the same options as {@link FanoutAnthropicChatModel}.
 *
 * <p>The handler receives each text piece ({@code onPartialResponse(PartialResponse, PartialResponseContext)}),
 * each tool-input fragment ({@code onPartialToolCall}), each finished tool use ({@code onCompleteToolCall},
 * at its {@code content_block_stop}), then {@code onCompleteResponse} with the assembled {@code AiMessage},
 * usage and finish reason, or {@code onError} with a LangChain4j exception. Callbacks run on one OkHttp
 * thread at a time and must not block.
 *
 * <h2>Cancelling ends the HTTP call.</h2>
 * {@code context.streamingHandle().cancel()} cancels the Fanout call: the stream's connection is closed and
 * the handler hears nothing more. This model does not own the client. Thread-safe.
 */
public final class FanoutAnthropicStreamingChatModel extends ModelBase<AnthropicSettings> implements StreamingChatModel {
  private FanoutAnthropicStreamingChatModel(AnthropicSettings settings) {
    super(settings, ModelProvider.ANTHROPIC);
  }

  /** Returns a builder; {@code client} and {@code modelName} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void doChat(ChatRequest chatRequest, StreamingChatResponseHandler handler) {
    dev.fanout.messages.MessageRequest request;
    try {
      request = AnthropicMapping.toFanout(chatRequest, settings);
    } catch (RuntimeException e) {
      handler.onError(Exceptions.toLangChain4j(e));
      return;
    }
    AnthropicStreamBridge.start(settings.client(), request, handler);
  }

  /** Builds a {@link FanoutAnthropicStreamingChatModel}; option names are {@code AnthropicStreamingChatModel.builder()}'s. */
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
    public FanoutAnthropicStreamingChatModel build() {
      return new FanoutAnthropicStreamingChatModel(settings());
    }
  }
}
