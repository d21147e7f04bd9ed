package dev.fanout.embeddings;

import java.util.concurrent.CompletableFuture;

/**
 * OpenAI-compatible embeddings: {@code POST embeddings} under the API root (the same {@code /v1} rule as
 * {@link dev.fanout.chat.ChatService}: {@code http://host:8080} and {@code https://api.openai.com/v1} both
 * reach {@code .../v1/embeddings}). Obtain it from {@link dev.fanout.FanoutClient#embeddings()}.
 *
 * <p>One request embeds a batch of inputs; the response has one vector per input, in input order, whatever
 * order the server listed them in. Retries, deadlines and cancellation are those of every call.
 */
public interface EmbeddingService {
  /** Embeds the request's inputs, blocking until the vectors arrive. */
  EmbeddingResponse create(EmbeddingRequest request);

  /**
   * Starts embedding the request's inputs. Cancelling the future cancels the HTTP call and any pending
   * retry. A response whose vectors do not match the inputs one for one (a missing, repeated or
   * out-of-range {@code index}, an undecodable vector) fails with {@link dev.fanout.errors.DecodeException}.
   */
  CompletableFuture<EmbeddingResponse> createAsync(EmbeddingRequest request);

  /**
   * Returns a view of this service whose calls use {@code options} (timeout, extra headers, retry policy,
   * label, context) on top of this view's own.
   */
  EmbeddingService withOptions(dev.fanout.CallOptions options);

  /**
   * Returns a view of this service whose calls are bound to {@code context} from any thread: its deadline,
   * its cancellation and its fan-out's trace.
   */
  default EmbeddingService withContext(dev.fanout.FanoutContext context) {
    return withOptions(dev.fanout.CallOptions.builder().context(context).build());
  }
}
