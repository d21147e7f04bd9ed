package dev.fanout.langchain4j.internal;

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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both stream bridges share: the {@link StreamingHandle} that cancels the Fanout call, and the rules for
 * calling a LangChain4j handler. After {@link #cancel()} the handler hears nothing more; an exception thrown
 * by a partial callback is passed to {@code onError} and the stream goes on; one thrown by {@code onError} is
 * logged and ignored, as in LangChain4j's own models.
 *
 * @param <R> what the streamed call completes with
 */
abstract class HandlerBridge<R> implements StreamingHandle {
  private final Logger log = LoggerFactory.getLogger(getClass());
  private final StreamingChatResponseHandler handler;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicReference<CompletableFuture<R>> call = new AtomicReference<>();

  HandlerBridge(StreamingChatResponseHandler handler) {
    this.handler = handler;
  }

  /** Maps the streamed call's result to the response {@code onCompleteResponse} receives. */
  abstract ChatResponse toResponse(R result);

  /**
   * Starts the call with {@code start} (a synchronous failure goes to {@code onError}) and routes its end to
   * {@code onCompleteResponse} or {@code onError}, unless cancelled first. Returns this handle.
   */
  final StreamingHandle run(Supplier<CompletableFuture<R>> start) {
    CompletableFuture<R> future;
    try {
      future = start.get();
    } catch (RuntimeException e) {
      error(Exceptions.toLangChain4j(e));
      return this;
    }
    call.set(future);
    if (cancelled.get()) {
      future.cancel(true);
    }
    future.whenComplete((result, error) -> {
      if (cancelled.get()) {
        return;
      }
      if (error != null) {
        error(Exceptions.toLangChain4j(error));
      } else {
        complete(result);
      }
    });
    return this;
  }

  @Override
  public final void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      CompletableFuture<R> future = call.get();
      if (future != null) {
        future.cancel(true);
      }
    }
  }

  @Override
  public final boolean isCancelled() {
    return cancelled.get();
  }

  /** Passes a text piece to {@code onPartialResponse}. */
  final void partialText(String text) {
    try {
      handler.onPartialResponse(new PartialResponse(text), new PartialResponseContext(this));
    } catch (RuntimeException e) {
      error(e);
    }
  }

  /** Passes a tool-call fragment to {@code onPartialToolCall}. */
  final void partialToolCall(PartialToolCall partial) {
    try {
      handler.onPartialToolCall(partial, new PartialToolCallContext(this));
    } catch (RuntimeException e) {
      error(e);
    }
  }

  /** Passes a finished tool call to {@code onCompleteToolCall}. */
  final void completeToolCall(int index, ToolExecutionRequest request) {
    try {
      handler.onCompleteToolCall(new CompleteToolCall(index, request));
    } catch (RuntimeException e) {
      error(e);
    }
  }

  private void complete(R result) {
    ChatResponse response;
    try {
      response = toResponse(result);
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

  final void error(Throwable error) {
    try {
      handler.onError(error);
    } catch (RuntimeException e) {
      log.warn("An exception thrown by StreamingChatResponseHandler.onError() was ignored", e);
    }
  }
}
