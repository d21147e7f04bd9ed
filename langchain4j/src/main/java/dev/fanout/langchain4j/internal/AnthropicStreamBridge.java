package dev.fanout.langchain4j.internal;

import dev.fanout.FanoutClient;
import dev.fanout.messages.ContentBlock;
import dev.fanout.messages.Message;
import dev.fanout.messages.MessageRequest;
import dev.fanout.messages.MessageStreamListener;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs one streamed message and passes it to a LangChain4j handler: text pieces as
 * {@code onPartialResponse}, tool-input fragments as {@code onPartialToolCall}, each tool use as
 * {@code onCompleteToolCall} at its block's end, then {@code onCompleteResponse} or {@code onError}. The
 * {@link StreamingHandle} cancels the Fanout call; after {@link StreamingHandle#cancel()} the handler hears
 * nothing more. As {@link StreamBridge}, for the Messages API.
 */
public final class AnthropicStreamBridge extends HandlerBridge<Message> implements MessageStreamListener {
  /** Tool uses being streamed, by block index; touched on the stream's one callback thread at a time. */
  private final Map<Integer, ContentBlock.ToolUse> started = new HashMap<>();
  private int toolCalls;
  private final Map<Integer, Integer> toolIndex = new HashMap<>();

  private AnthropicStreamBridge(StreamingChatResponseHandler handler) {
    super(handler);
  }

  /** Starts streaming {@code request} through {@code client} to {@code handler}; returns its handle. */
  public static StreamingHandle start(FanoutClient client, MessageRequest request, StreamingChatResponseHandler handler) {
    AnthropicStreamBridge bridge = new AnthropicStreamBridge(handler);
    return bridge.run(() -> client.messages().streamAsync(request, bridge));
  }

  @Override
  ChatResponse toResponse(Message message) {
    return AnthropicMapping.toLangChain4j(message);
  }

  @Override
  public void onBlockStart(int index, ContentBlock block) {
    if (block instanceof ContentBlock.ToolUse use) {
      started.put(index, use);
      toolIndex.put(index, toolCalls++);
    }
  }

  @Override
  public void onText(int index, String text) {
    if (!isCancelled()) {
      partialText(text);
    }
  }

  @Override
  public void onToolInputDelta(int index, String partialJson) {
    ContentBlock.ToolUse use = started.get(index);
    if (isCancelled() || use == null) {
      return;
    }
    partialToolCall(PartialToolCall.builder()
        .index(toolIndex.get(index))
        .id(use.id())
        .name(use.name())
        .partialArguments(partialJson)
        .build());
  }

  @Override
  public void onBlockStop(int index, ContentBlock block) {
    if (isCancelled() || !(block instanceof ContentBlock.ToolUse use)) {
      return;
    }
    completeToolCall(toolIndex.get(index), ToolExecutionRequest.builder()
        .id(use.id()).name(use.name()).arguments(use.input().toString()).build());
  }
}
