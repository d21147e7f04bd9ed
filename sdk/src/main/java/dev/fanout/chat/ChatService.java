package dev.fanout.chat;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * OpenAI-compatible chat completions: {@code POST chat/completions} under the API root. Obtain it from
 * {@link dev.fanout.FanoutClient#chat()}.
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
   * Starts streaming a completion. Each non-empty content delta of the first choice is passed to
   * {@code onDelta}, in the order the server sent them, on one OkHttp thread at a time;
   * {@code onDelta} must return quickly and must not block; an exception it throws ends the stream and
   * fails the future with {@link dev.fanout.errors.DecodeException} (the exception as cause). The future completes with the assembled
   * completion when the server sends {@code data: [DONE]}.
   *
   * <h4>A stream must end with [DONE].</h4>
   * A stream that ends without it, or an event that is not a JSON chunk, fails the future with
   * {@link dev.fanout.errors.DecodeException}. A failed attempt is retried only if no delta has been
   * delivered yet, so {@code onDelta} never sees a delta twice. Cancelling the future closes the stream.
   */
  CompletableFuture<ChatCompletion> streamAsync(ChatRequest request, Consumer<String> onDelta);
}
