package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.internal.ChatMapping;
import dev.fanout.langchain4j.internal.ChatSettings;
import dev.fanout.langchain4j.internal.Exceptions;
import dev.fanout.langchain4j.internal.StreamBridge;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

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
public final class FanoutStreamingChatModel extends ModelBase<ChatSettings> implements StreamingChatModel {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FanoutStreamingChatModel.class);

  private FanoutStreamingChatModel(ChatSettings settings) {
    super(settings, ModelProvider.OPEN_AI);
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
    if (settings.logRequests()) {
      log.info("request (streamed): {}", request.toJson());
    }
    StreamBridge.start(settings.chat(), request, handler,
        settings.logResponses() ? completion -> log.info("response: {}", completion.raw()) : completion -> { });
  }

  /**
   * Builds a {@link FanoutStreamingChatModel}. Option names are {@code OpenAiChatModel.builder()}'s; an option set here takes
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
    public FanoutStreamingChatModel build() {
      return new FanoutStreamingChatModel(settings());
    }
  }
}
