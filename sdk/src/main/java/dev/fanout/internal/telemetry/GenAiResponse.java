package dev.fanout.internal.telemetry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a GenAI response said, as the GenAI semantic conventions name it: {@code gen_ai.response.id},
 * {@code gen_ai.response.model}, {@code gen_ai.response.finish_reasons}, {@code gen_ai.usage.input_tokens}
 * and {@code gen_ai.usage.output_tokens}.
 */
public record GenAiResponse(
    Optional<String> id, Optional<String> model, List<String> finishReasons,
    OptionalLong inputTokens, OptionalLong outputTokens) {

  public GenAiResponse {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(model, "model == null");
    finishReasons = List.copyOf(Objects.requireNonNull(finishReasons, "finishReasons == null"));
    Objects.requireNonNull(inputTokens, "inputTokens == null");
    Objects.requireNonNull(outputTokens, "outputTokens == null");
  }

  /** Builds a response; blank strings count as absent, and {@code null} token counts as unknown. */
  public static GenAiResponse of(
      String id, String model, List<String> finishReasons, Long inputTokens, Long outputTokens) {
    return new GenAiResponse(present(id), present(model),
        finishReasons == null ? List.of() : finishReasons.stream().filter(Objects::nonNull).toList(),
        inputTokens == null ? OptionalLong.empty() : OptionalLong.of(inputTokens),
        outputTokens == null ? OptionalLong.empty() : OptionalLong.of(outputTokens));
  }

  private static Optional<String> present(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s);
  }
}
