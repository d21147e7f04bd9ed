package dev.fanout.internal.telemetry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a GenAI response said, as the GenAI semantic conventions name it: {@code gen_ai.response.id},
 * {@code gen_ai.response.model}, {@code gen_ai.response.finish_reasons}, {@code gen_ai.usage.input_tokens}
 * and {@code gen_ai.usage.output_tokens}; and how many of the input tokens were written to a prompt cache
 * ({@code gen_ai.usage.cache_creation.input_tokens}) and read from one ({@code gen_ai.usage.cache_read.input_tokens}),
 * and whether the provider's input-tokens-per-minute limit counts those read ({@code cacheReadsRateLimited}:
 * OpenAI's does, Anthropic's does not).
 */
public record GenAiResponse(
    Optional<String> id, Optional<String> model, List<String> finishReasons,
    OptionalLong inputTokens, OptionalLong outputTokens, OptionalLong cacheCreationInputTokens,
    OptionalLong cacheReadInputTokens, boolean cacheReadsRateLimited) {

  public GenAiResponse {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(model, "model == null");
    finishReasons = List.copyOf(Objects.requireNonNull(finishReasons, "finishReasons == null"));
    Objects.requireNonNull(inputTokens, "inputTokens == null");
    Objects.requireNonNull(outputTokens, "outputTokens == null");
    Objects.requireNonNull(cacheCreationInputTokens, "cacheCreationInputTokens == null");
    Objects.requireNonNull(cacheReadInputTokens, "cacheReadInputTokens == null");
  }

  /** Builds a response; blank strings count as absent, and {@code null} token counts as unknown. */
  public static GenAiResponse of(
      String id, String model, List<String> finishReasons, Long inputTokens, Long outputTokens) {
    return new GenAiResponse(present(id), present(model),
        finishReasons == null ? List.of() : finishReasons.stream().filter(Objects::nonNull).toList(),
        inputTokens == null ? OptionalLong.empty() : OptionalLong.of(inputTokens),
        outputTokens == null ? OptionalLong.empty() : OptionalLong.of(outputTokens), OptionalLong.empty(),
        OptionalLong.empty(), true);
  }

  /**
   * Returns this response noting that {@code creation} of its input tokens were written to a prompt cache and
   * {@code read} read from one (Anthropic's {@code cache_creation_input_tokens} and
   * {@code cache_read_input_tokens}, both counted in {@link #inputTokens()}).
   */
  public GenAiResponse withCacheInputTokens(long creation, long read) {
    return new GenAiResponse(id, model, finishReasons, inputTokens, outputTokens, OptionalLong.of(creation),
        OptionalLong.of(read), false);
  }

  /**
   * Returns this response noting that {@code read} of its input tokens were read from a prompt cache and still
   * count against the input-token limit (OpenAI's {@code prompt_tokens_details.cached_tokens}, counted in
   * {@code prompt_tokens}).
   */
  public GenAiResponse withCachedInputTokens(long read) {
    return new GenAiResponse(id, model, finishReasons, inputTokens, outputTokens, cacheCreationInputTokens,
        OptionalLong.of(read), true);
  }

  /**
   * Returns the input tokens a provider's input-tokens-per-minute limit counts: all of them, less those read
   * from a prompt cache where the provider does not count them (Anthropic).
   */
  public OptionalLong rateLimitedInputTokens() {
    if (inputTokens.isEmpty() || cacheReadsRateLimited) {
      return inputTokens;
    }
    return OptionalLong.of(Math.max(0, inputTokens.getAsLong() - cacheReadInputTokens.orElse(0)));
  }

  private static Optional<String> present(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }
}
