package dev.fanout.langchain4j.internal;

import dev.fanout.messages.ContentBlock;
import dev.fanout.messages.Message;
import dev.fanout.messages.MessageRequest;
import dev.fanout.messages.MessageStreamListener;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one streamed message and passes it to a LangChain4j handler: text pieces as
 * {@code onPartialResponse}, tool-input fragments as {@code onPartialToolCall}, each tool use as
 * {@code onCompleteToolCall} at its block's end, then {@code onCompleteResponse} or {@code onError}. The
 * {@link StreamingHandle} cancels the Fanout call; after {@link StreamingHandle#cancel()} the handler hears
 * nothing more. As {@link StreamBridge}, for the Messages API.
 */
public final class AnthropicStreamBridge implements MessageStreamListener, StreamingHandle {
  private static final Logger log = LoggerFactory.getLogger(AnthropicStreamBridge.class);

  private final StreamingChatResponseHandler handler;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicReference<CompletableFuture<Message>> call = new AtomicReference<>();
  /** Tool uses being streamed, by block index; touched on the stream's one callback thread at a time. */
  private final Map<Integer, ContentBlock.ToolUse> started = new HashMap<>();
  private int toolCalls;
  private final Map<Integer, Integer> toolIndex = new HashMap<>();

  private AnthropicStreamBridge(StreamingChatResponseHandler handler) {
    this.handler = handler;
  }

  /** Starts streaming {@code request} through {@code client} to {@code handler}; returns its handle. */
  public static StreamingHandle start(
      dev.fanout.FanoutClient client, MessageRequest request, StreamingChatResponseHandler handler) {
    AnthropicStreamBridge bridge = new AnthropicStreamBridge(handler);
    CompletableFuture<Message> future;
    try {
      future = client.messages().streamAsync(request, bridge);
    } catch (RuntimeException e) {
      bridge.error(Exceptions.toLangChain4j(e));
      return bridge;
    }
    bridge.call.set(future);
    if (bridge.cancelled.get()) {
      future.cancel(true);
    }
    future.whenComplete((message, error) -> {
      if (bridge.cancelled.get()) {
        return;
      }
      if (error != null) {
        bridge.error(Exceptions.toLangChain4j(error));
      } else {
        bridge.complete(message);
      }
    });
    return bridge;
  }

  @Override
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      CompletableFuture<Message> future = call.get();
      if (future != null) {
        future.cancel(true);
      }
    }
  }

  @Override
  public boolean isCancelled() {
    return cancelled.get();
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
    if (cancelled.get()) {
      return;
    }
    try {
      handler.onPartialResponse(new PartialResponse(text), new PartialResponseContext(this));
    } catch (RuntimeException e) {
      error(e);
    }
  }

  @Override
  public void onToolInputDelta(int index, String partialJson) {
    ContentBlock.ToolUse use = started.get(index);
    if (cancelled.get() || use == null) {
      return;
    }
    PartialToolCall partial = PartialToolCall.builder()
        .index(toolIndex.get(index))
        .id(use.id())
        .name(use.name())
        .partialArguments(partialJson)
        .build();
    try {
      handler.onPartialToolCall(partial, new PartialToolCallContext(this));
    } catch (RuntimeException e) {
      error(e);
    }
  }

  @Override
  public void onBlockStop(int index, ContentBlock block) {
    if (cancelled.get() || !(block instanceof ContentBlock.ToolUse use)) {
      return;
    }
    ToolExecutionRequest request = ToolExecutionRequest.builder()
        .id(use.id()).name(use.name()).arguments(use.input().toString()).build();
    try {
      handler.onCompleteToolCall(new CompleteToolCall(toolIndex.get(index), request));
    } catch (RuntimeException e) {
      error(e);
    }
  }

  private void complete(Message message) {
    ChatResponse response;
    try {
      response = AnthropicMapping.toLangChain4j(message);
    } catch (RuntimeException e) {
      error(e);
      return;
    }
    try {
      handler.onCompleteResponse(response);
    } catch (RuntimeException e) {
      error(e);
    }
  }

  private void error(Throwable error) {
    try {
      handler.onError(error);
    } catch (RuntimeException e) {
      log.warn("An exception thrown by StreamingChatResponseHandler.onError() was ignored", e);
    }
  }
}
