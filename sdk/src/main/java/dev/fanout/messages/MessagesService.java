package dev.fanout.messages;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Anthropic's Messages API: {@code POST messages} under the API root, plain or streamed, with tools and
 * tool results, images and prompt-cache usage, and {@code POST messages/count_tokens} to count a request's
 * input tokens. Obtain it from {@link dev.fanout.FanoutClient#messages()}.
 *
 * <p>Every call carries {@code x-api-key} (the client's API key; no {@code Authorization} header) and
 * {@code anthropic-version: 2023-06-01}. The API root is the base URL when its path ends in {@code /v1},
 * {@code v1/} under it otherwise, so {@code https://api.anthropic.com} posts to
 * {@code https://api.anthropic.com/v1/messages}. Error responses map to the SDK's exceptions by status:
 * {@code invalid_request_error} (400) to {@link dev.fanout.errors.BadRequestException},
 * {@code authentication_error} (401) to {@link dev.fanout.errors.UnauthorizedException},
 * {@code rate_limit_error} (429) to {@link dev.fanout.errors.RateLimitedException} with its
 * {@code retry-after}, {@code overloaded_error} (529) to {@link dev.fanout.errors.OverloadedException}.
 */
public interface MessagesService {
  /** The {@code anthropic-version} every call sends: {@code 2023-06-01}. */
  String ANTHROPIC_VERSION = "2023-06-01";

  /** Creates a message, blocking until it arrives. */
  Message create(MessageRequest request);

  /** Starts creating a message. Cancelling the future cancels the HTTP call and any pending retry. */
  CompletableFuture<Message> createAsync(MessageRequest request);

  /**
   * Counts the tokens {@code request}'s input would use, blocking until the count arrives.
   *
   * @see #countTokensAsync(MessageRequest)
   */
  MessageTokenCount countTokens(MessageRequest request);

  /**
   * Starts counting the tokens {@code request}'s input would use ({@code POST messages/count_tokens}): its
   * system prompt, tools and messages, without creating a message. The body is what {@link #createAsync} would
   * send without the fields that only shape an answer, which the endpoint refuses: {@code max_tokens},
   * {@code temperature}, {@code top_p}, {@code top_k}, {@code stop_sequences}, and the extra fields
   * {@code metadata} and {@code service_tier}; other extra fields (such as {@code thinking}) are sent. The call
   * has the same headers, retries and deadline as {@code createAsync}; the governor admits it to the
   * endpoint's own bucket and charges no tokens, as Anthropic meters counting apart from messages. Cancelling
   * the future cancels the HTTP call and any pending retry.
   */
  CompletableFuture<MessageTokenCount> countTokensAsync(MessageRequest request);

  /**
   * Streams a message, passing each text piece to {@code onText} and blocking until the stream ends;
   * returns the message assembled from the events.
   *
   * @see #streamAsync(MessageRequest, MessageStreamListener)
   */
  Message stream(MessageRequest request, Consumer<String> onText);

  /** Starts streaming a message, passing each text piece to {@code onText}; see {@link #streamAsync(MessageRequest, MessageStreamListener)}. */
  CompletableFuture<Message> streamAsync(MessageRequest request, Consumer<String> onText);

  /** Streams a message to {@code listener}, blocking until the stream ends; returns the assembled message. */
  Message stream(MessageRequest request, MessageStreamListener listener);

  /**
   * Starts streaming a message ({@code "stream": true}, server-sent events), passing text pieces, thinking,
   * citations and tool input fragments to {@code listener} (see its contract). Every event is handled: {@code message_start},
   * {@code content_block_start}/{@code _delta}/{@code _stop}, {@code message_delta} (stop reason, output
   * usage), {@code ping} (ignored), {@code error}. The future completes at {@code message_stop} with the
   * message assembled from them: each block's text joined, each tool use's input parsed from its joined
   * fragments, usage from {@code message_start} updated by {@code message_delta}.
   *
   * <h4>A stream must end with message_stop.</h4>
   * A stream that ends without it, or an event that is not JSON, fails the future with
   * {@link dev.fanout.errors.DecodeException}; an {@code error} event fails it with the matching
   * {@link dev.fanout.errors.ServiceException} ({@code overloaded_error} as
   * {@link dev.fanout.errors.OverloadedException}), retried like a response of that status (so an
   * {@code overloaded_error}, {@code api_error} or {@code rate_limit_error} by default). A failed attempt is
   * retried only if the listener has received nothing yet, so it never sees a piece twice. Cancelling the
   * future closes the stream.
   */
  CompletableFuture<Message> streamAsync(MessageRequest request, MessageStreamListener listener);

  /**
   * Returns a view of this service whose calls use {@code options} (timeout, extra headers such as
   * {@code anthropic-beta}, retry policy, label, context) on top of this view's own.
   */
  MessagesService withOptions(dev.fanout.CallOptions options);

  /** Returns a view of this service whose calls are bound to {@code context}. */
  default MessagesService withContext(dev.fanout.FanoutContext context) {
    return withOptions(dev.fanout.CallOptions.builder().context(context).build());
  }
}
