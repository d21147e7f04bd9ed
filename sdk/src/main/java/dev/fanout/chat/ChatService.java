package dev.fanout.chat;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * OpenAI-compatible chat completions: {@code POST chat/completions} under the API root, plain or streamed,
 * with tools, tool calls and structured outputs. Obtain it from {@link dev.fanout.FanoutClient#chat()}.
 *
 * <p>The API root is the client's base URL when that URL's path ends in {@code /v1} (as OpenAI's own
 * {@code https://api.openai.com/v1} does), and {@code v1/} under the base URL otherwise; so both
 * {@code http://localhost:8080} and {@code http://localhost:8080/v1} post to
 * {@code http://localhost:8080/v1/chat/completions}.
 */
public interface ChatService {
  /** Creates a completion, blocking until it arrives. */
  ChatCompletion create(ChatRequest request);

  /** Starts creating a completion. Cancelling the future cancels the HTTP call and any pending retry. */
  CompletableFuture<ChatCompletion> createAsync(ChatRequest request);

  /**
   * Streams a completion ({@code "stream": true}, server-sent events), passing each content delta to
   * {@code onDelta} as it arrives and blocking until the stream ends; returns the completion assembled from
   * the deltas.
   *
   * @see #streamAsync(ChatRequest, Consumer)
   */
  ChatCompletion stream(ChatRequest request, Consumer<String> onDelta);

  /**
   * Starts streaming a completion. Each non-empty content delta of the first choice (other choices and
   * tool-call fragments are assembled but not passed on) is passed to
   * {@code onDelta}, in the order the server sent them, on one OkHttp thread at a time;
   * {@code onDelta} must return quickly and must not block; an exception it throws ends the stream and
   * fails the future with {@link dev.fanout.errors.DecodeException} (the exception as cause). The future completes with the assembled
   * completion when the server sends {@code data: [DONE]}.
   *
   * <h4>A stream must end with [DONE].</h4>
   * A stream that ends without it, or an event that is not a JSON chunk, fails the future with
   * {@link dev.fanout.errors.DecodeException}; an error the server sends in the stream
   * ({@code {"error": {...}}}) fails it with a {@link dev.fanout.errors.ServiceException} carrying the
   * error's type and code. A failed attempt is retried only if no delta has been
   * delivered yet, so {@code onDelta} never sees a delta twice. Cancelling the future closes the stream.
   */
  CompletableFuture<ChatCompletion> streamAsync(ChatRequest request, Consumer<String> onDelta);

  /**
   * Streams a completion, passing text deltas and tool-call fragments of every choice to {@code listener}
   * as they arrive and blocking until the stream ends; returns the completion assembled from the chunks.
   *
   * @see #streamAsync(ChatRequest, ChatStreamListener)
   */
  ChatCompletion stream(ChatRequest request, ChatStreamListener listener);

  /**
   * Starts streaming a completion, passing text deltas and tool-call fragments of every choice to
   * {@code listener} (see its contract). The future completes at {@code data: [DONE]} with the completion
   * assembled from the chunks: every choice's text and refusal, its tool calls (fragments joined by their
   * {@code index}: id and name from the first, arguments concatenated), its finish reason, and the usage
   * of the final chunk when {@link ChatRequest.Builder#streamUsage(boolean)} asked for it. Failures, retries
   * and cancellation are as for {@link #streamAsync(ChatRequest, Consumer)}: once a callback has received
   * anything, a failure is final.
   */
  CompletableFuture<ChatCompletion> streamAsync(ChatRequest request, ChatStreamListener listener);

  /**
   * Returns a view of this service whose calls use {@code options} (timeout, extra headers, retry policy,
   * label, context) on top of this view's own. The view is as cheap as a small object and as thread-safe
   * as this one.
   */
  ChatService withOptions(dev.fanout.CallOptions options);

  /**
   * Returns a view of this service whose calls are bound to {@code context} from any thread: its
   * deadline, its cancellation and its fan-out's trace. Same as
   * {@code withOptions(CallOptions.builder().context(context).build())}.
   */
  default ChatService withContext(dev.fanout.FanoutContext context) {
    return withOptions(dev.fanout.CallOptions.builder().context(context).build());
  }
}
