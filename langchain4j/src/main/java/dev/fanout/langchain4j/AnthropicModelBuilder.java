package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.internal.AnthropicSettings;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.ToolChoice;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The options both Anthropic chat models are built with, {@code AnthropicChatModel.builder()}'s names, in
 * one place: {@link FanoutAnthropicChatModel.Builder} and {@link FanoutAnthropicStreamingChatModel.Builder}
 * extend it and add only their {@code build()}. An option set here takes precedence over the same parameter
 * in {@link #defaultRequestParameters}, and a request's own parameters take precedence over both. The key,
 * base URL, timeouts and retries are the {@link FanoutClient}'s, so there is no {@code apiKey},
 * {@code baseUrl}, {@code timeout} or {@code maxRetries} here.
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class AnthropicModelBuilder<B extends AnthropicModelBuilder<B>> extends ModelBuilder<B, AnthropicSettings.Raw> {
  AnthropicModelBuilder() {
    super(new AnthropicSettings.Raw());
  }

  final AnthropicSettings settings() {
    return raw.build();
  }

  /** Sample from the top K options only, at least 1 ({@code top_k}). Defaults to not sent. */
  public final B topK(Integer topK) {
    raw.topK = topK;
    return self();
  }

  /**
   * The answer's token limit, at least 1 ({@code max_tokens}, which the API requires). Defaults to
   * {@value AnthropicSettings#DEFAULT_MAX_TOKENS}, as {@code AnthropicChatModel}'s.
   */
  public final B maxTokens(Integer maxTokens) {
    raw.maxTokens = maxTokens;
    return self();
  }

  /** Stop sequences ({@code stop_sequences}). Defaults to none. */
  public final B stopSequences(List<String> stopSequences) {
    raw.stopSequences = stopSequences;
    return self();
  }

  /** The tools the model may use. Defaults to none. */
  public final B toolSpecifications(List<ToolSpecification> toolSpecifications) {
    raw.toolSpecifications = toolSpecifications;
    return self();
  }

  /** As {@link #toolSpecifications(List)}. */
  public final B toolSpecifications(ToolSpecification... toolSpecifications) {
    return toolSpecifications(toolSpecifications == null ? null : Arrays.asList(toolSpecifications));
  }

  /**
   * How the model may use the tools: {@code AUTO}, {@code REQUIRED} (Anthropic's {@code any}, or
   * {@code tool} with {@link #toolChoiceName}) or {@code NONE}. Defaults to not sent (auto).
   */
  public final B toolChoice(ToolChoice toolChoice) {
    raw.toolChoice = toolChoice;
    return self();
  }

  /** With {@code toolChoice(REQUIRED)}: the one tool the model must use ({@code {"type":"tool","name":...}}). Defaults to none. */
  public final B toolChoiceName(String toolChoiceName) {
    raw.toolChoiceName = toolChoiceName;
    return self();
  }

  /** Whether the model uses at most one tool per answer ({@code disable_parallel_tool_use}). Defaults to false. */
  public final B disableParallelToolUse(Boolean disableParallelToolUse) {
    raw.disableParallelToolUse = disableParallelToolUse;
    return self();
  }

  /** An end-user id sent as {@code metadata.user_id}, not blank. Defaults to not sent. */
  public final B userId(String userId) {
    raw.userId = userId;
    return self();
  }

  /** Extra top-level request fields, sent as given (such as {@code service_tier}). Defaults to none. */
  public final B customParameters(Map<String, Object> customParameters) {
    raw.customParameters = customParameters;
    return self();
  }
}
