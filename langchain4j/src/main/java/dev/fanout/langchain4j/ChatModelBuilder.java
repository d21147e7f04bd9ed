package dev.fanout.langchain4j;

import dev.fanout.langchain4j.internal.ChatSettings;
import dev.langchain4j.model.chat.request.ResponseFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The options both chat models are built with, {@code OpenAiChatModel.builder()}'s names, in one place:
 * {@link FanoutChatModel.Builder} and {@link FanoutStreamingChatModel.Builder} extend it and add only their
 * {@code build()}. An option set here takes precedence over the same parameter in
 * {@link #defaultRequestParameters}, and a request's own parameters take precedence over both. Every option
 * left unset is not sent, so the server's default applies.
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class ChatModelBuilder<B extends ChatModelBuilder<B>> extends ModelBuilder<B, ChatSettings.Raw> {
  ChatModelBuilder() {
    super(new ChatSettings.Raw());
  }

  /** Checks and resolves the options, for {@code build()}. */
  final ChatSettings settings() {
    return raw.build();
  }

  /** Up to 4 stop sequences ({@code stop}). Defaults to none. */
  public final B stop(List<String> stop) {
    raw.stop = stop;
    return self();
  }

  /** As {@link #stop(List)}. Defaults to none. */
  public final B stop(String... stop) {
    raw.stop = stop == null ? null : Arrays.asList(stop);
    return self();
  }

  /** The answer's token limit, at least 1 ({@code max_tokens}). Defaults to not sent. */
  public final B maxTokens(Integer maxTokens) {
    raw.maxTokens = maxTokens;
    return self();
  }

  /**
   * The completion's token limit, reasoning included, at least 1 ({@code max_completion_tokens}; reasoning
   * models take this one). Defaults to not sent.
   */
  public final B maxCompletionTokens(Integer maxCompletionTokens) {
    raw.maxCompletionTokens = maxCompletionTokens;
    return self();
  }

  /** -2 to 2 ({@code presence_penalty}). Defaults to not sent. */
  public final B presencePenalty(Double presencePenalty) {
    raw.presencePenalty = presencePenalty;
    return self();
  }

  /** -2 to 2 ({@code frequency_penalty}). Defaults to not sent. */
  public final B frequencyPenalty(Double frequencyPenalty) {
    raw.frequencyPenalty = frequencyPenalty;
    return self();
  }

  /** {@code seed}, for best-effort deterministic sampling. Defaults to not sent. */
  public final B seed(Integer seed) {
    raw.seed = seed;
    return self();
  }

  /** An end-user id for abuse monitoring ({@code user}), not blank. Defaults to not sent. */
  public final B user(String user) {
    raw.user = user;
    return self();
  }

  /** Whether the model may call several tools in one turn ({@code parallel_tool_calls}). Defaults to not sent (OpenAI: true). */
  public final B parallelToolCalls(Boolean parallelToolCalls) {
    raw.parallelToolCalls = parallelToolCalls;
    return self();
  }

  /**
   * Whether tools without their own {@code strict} setting are sent with {@code strict: true} (and
   * {@code additionalProperties: false}). Defaults to false.
   */
  public final B strictTools(Boolean strictTools) {
    raw.strictTools = strictTools;
    return self();
  }

  /** Whether a JSON-schema response format is sent with {@code strict: true}. Defaults to false. */
  public final B strictJsonSchema(Boolean strictJsonSchema) {
    raw.strictJsonSchema = strictJsonSchema;
    return self();
  }

  /**
   * The response format: {@link ResponseFormat#TEXT}, {@link ResponseFormat#JSON} or JSON with a
   * {@code JsonSchema} ({@code response_format} {@code json_schema}). Defaults to text.
   */
  public final B responseFormat(ResponseFormat responseFormat) {
    raw.responseFormat = responseFormat;
    return self();
  }

  /**
   * Headers sent on every request of this model, beside the client's own (an OpenAI-compatible gateway's
   * routing header, say). {@code Authorization} is refused: the key is the client's {@code apiKey}.
   * Defaults to none.
   */
  public final B customHeaders(Map<String, String> customHeaders) {
    raw.customHeaders(customHeaders);
    return self();
  }

  /**
   * Logs each request body at INFO through SLF4J (logger {@code dev.fanout.langchain4j.FanoutChatModel} or
   * {@code ...FanoutStreamingChatModel}), as OpenAI's wire JSON; the API key is never in it. Defaults to false.
   */
  public final B logRequests(Boolean logRequests) {
    raw.logRequests = logRequests;
    return self();
  }

  /**
   * Logs each response at INFO through SLF4J (the same loggers): the completion's JSON, for a stream the
   * assembled completion. Defaults to false.
   */
  public final B logResponses(Boolean logResponses) {
    raw.logResponses = logResponses;
    return self();
  }
}
