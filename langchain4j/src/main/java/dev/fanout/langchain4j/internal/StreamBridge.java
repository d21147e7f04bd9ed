package dev.fanout.langchain4j.internal;

import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.chat.ChatStreamListener;
import dev.fanout.chat.ToolCallDelta;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one streamed completion and passes it to a LangChain4j handler: text deltas as
 * {@code onPartialResponse(PartialResponse, PartialResponseContext)}, tool-call fragments as
 * {@code onPartialToolCall}, each finished tool call as {@code onCompleteToolCall} (when the next call's
 * fragments start, or at the end), then {@code onCompleteResponse} or {@code onError}. The
 * {@link StreamingHandle} in every context cancels the Fanout call, which closes the HTTP stream; after
 * {@link StreamingHandle#cancel()} the handler hears nothing more.
 *
 * <p>As in LangChain4j's own models, an exception thrown by a partial callback is passed to
 * {@code onError} and the stream goes on; one thrown by {@code onError} is logged and ignored.
 */
public final class StreamBridge implements ChatStreamListener, StreamingHandle {
  private static final Logger log = LoggerFactory.getLogger(StreamBridge.class);

  private final StreamingChatResponseHandler handler;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicReference<CompletableFuture<ChatCompletion>> call = new AtomicReference<>();
  // Tool call being assembled (choice 0); touched only on the stream's one callback thread at a time.
  private int toolIndex = -1;
  private String toolId;
  private String toolName;
  private final StringBuilder toolArguments = new StringBuilder();

  private StreamBridge(StreamingChatResponseHandler handler) {
    this.handler = handler;
  }

  /**
   * Starts streaming {@code request} through {@code chat} to {@code handler}; {@code onCompletion} sees the
   * assembled completion first. Returns its handle.
   */
  public static StreamingHandle start(dev.fanout.chat.ChatService chat, ChatRequest request,
      StreamingChatResponseHandler handler, java.util.function.Consumer<ChatCompletion> onCompletion) {
    StreamBridge bridge = new StreamBridge(handler);
    CompletableFuture<ChatCompletion> future;
    try {
      future = chat.streamAsync(request, bridge);
    } catch (RuntimeException e) {
      bridge.error(Exceptions.toLangChain4j(e));
      return bridge;
    }
    bridge.call.set(future);
    if (bridge.cancelled.get()) {
      future.cancel(true);
    }
    future.whenComplete((completion, error) -> {
      if (bridge.cancelled.get()) {
        return;
      }
      if (error != null) {
        bridge.error(Exceptions.toLangChain4j(error));
      } else {
        onCompletion.accept(completion);
        bridge.complete(completion);
      }
    });
    return bridge;
  }

  @Override
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      CompletableFuture<ChatCompletion> future = call.get();
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
  public void onContentDelta(int choiceIndex, String text) {
    if (choiceIndex != 0 || cancelled.get() || text.isEmpty()) {
      return;
    }
    try {
      handler.onPartialResponse(new PartialResponse(text), new PartialResponseContext(this));
    } catch (RuntimeException e) {
      error(e);
    }
  }

  @Override
  public void onToolCallDelta(ToolCallDelta delta) {
    if (delta.choiceIndex() != 0 || cancelled.get()) {
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
    PartialToolCall partial = PartialToolCall.builder()
        .index(toolIndex)
        .id(toolId)
        .name(toolName)
        .partialArguments(fragment)
        .build();
    try {
      handler.onPartialToolCall(partial, new PartialToolCallContext(this));
    } catch (RuntimeException e) {
      error(e);
    }
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
    if (cancelled.get()) {
      return;
    }
    try {
      handler.onCompleteToolCall(new CompleteToolCall(index, request));
    } catch (RuntimeException e) {
      error(e);
    }
  }

  private void complete(ChatCompletion completion) {
    ChatResponse response;
    try {
      finishToolCall();
      response = ChatMapping.toLangChain4j(completion);
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
