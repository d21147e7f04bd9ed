package dev.fanout.langchain4j.internal;

import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.chat.ChatService;
import dev.fanout.chat.ChatStreamListener;
import dev.fanout.chat.ToolCallDelta;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.function.Consumer;

/**
 * Runs one streamed completion and passes it to a LangChain4j handler: text deltas as
 * {@code onPartialResponse(PartialResponse, PartialResponseContext)}, tool-call fragments as
 * {@code onPartialToolCall}, each finished tool call as {@code onCompleteToolCall} (when the next call's
 * fragments start, or at the end), then {@code onCompleteResponse} or {@code onError}. The
 * {@link StreamingHandle} in every context cancels the Fanout call, which closes the HTTP stream; the
 * handler rules are {@link HandlerBridge}'s.
 */
public final class StreamBridge extends HandlerBridge<ChatCompletion> implements ChatStreamListener {
  private final Consumer<ChatCompletion> onCompletion;
  // Tool call being assembled (choice 0); touched only on the stream's one callback thread at a time.
  private int toolIndex = -1;
  private String toolId;
  private String toolName;
  private final StringBuilder toolArguments = new StringBuilder();

  private StreamBridge(StreamingChatResponseHandler handler, Consumer<ChatCompletion> onCompletion) {
    super(handler);
    this.onCompletion = onCompletion;
  }

  /**
   * Starts streaming {@code request} through {@code chat} to {@code handler}; {@code onCompletion} sees the
   * assembled completion first. Returns its handle.
   */
  public static StreamingHandle start(ChatService chat, ChatRequest request,
      StreamingChatResponseHandler handler, Consumer<ChatCompletion> onCompletion) {
    StreamBridge bridge = new StreamBridge(handler, onCompletion);
    return bridge.run(() -> chat.streamAsync(request, bridge));
  }

  @Override
  ChatResponse toResponse(ChatCompletion completion) {
    onCompletion.accept(completion);
    finishToolCall();
    return ChatMapping.toLangChain4j(completion);
  }

  @Override
  public void onContentDelta(int choiceIndex, String text) {
    if (choiceIndex != 0 || isCancelled() || text.isEmpty()) {
      return;
    }
    partialText(text);
  }

  @Override
  public void onToolCallDelta(ToolCallDelta delta) {
    if (delta.choiceIndex() != 0 || isCancelled()) {
      return;
    }
    if (delta.index() != toolIndex) {
      finishToolCall();
      toolIndex = delta.index();
    }
    delta.id().ifPresent(id -> toolId = id);
    delta.name().ifPresent(name -> toolName = name);
    String fragment = delta.argumentsFragment();
    if (fragment.isEmpty() || toolName == null || toolName.isBlank()) {
      return;
    }
    toolArguments.append(fragment);
    partialToolCall(PartialToolCall.builder()
        .index(toolIndex)
        .id(toolId)
        .name(toolName)
        .partialArguments(fragment)
        .build());
  }

  private void finishToolCall() {
    if (toolIndex < 0 || toolName == null) {
      return;
    }
    ToolExecutionRequest request = ToolExecutionRequest.builder()
        .id(toolId)
        .name(toolName)
        .arguments(toolArguments.toString())
        .build();
    int index = toolIndex;
    toolIndex = -1;
    toolId = null;
    toolName = null;
    toolArguments.setLength(0);
    if (!isCancelled()) {
      completeToolCall(index, request);
    }
  }
}
