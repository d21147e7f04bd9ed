package dev.fanout.internal.telemetry;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What a GenAI call asked for, as OpenTelemetry's GenAI semantic conventions name it: the operation
 * ({@code gen_ai.operation.name}), the provider ({@code gen_ai.provider.name}), the model
 * ({@code gen_ai.request.model}), {@code gen_ai.request.max_tokens}, {@code gen_ai.request.temperature}, and
 * whether the answer streams.
 */
public record GenAiRequest(
    Operation operation, String provider, Optional<String> model, OptionalInt maxTokens,
    OptionalDouble temperature, boolean stream) {

  /** The GenAI provider name of an OpenAI-compatible API: {@code openai}. */
  public static final String PROVIDER_OPENAI = "openai";

  public GenAiRequest {
    Objects.requireNonNull(operation, "operation == null");
    Objects.requireNonNull(provider, "provider == null");
    Objects.requireNonNull(model, "model == null");
    Objects.requireNonNull(maxTokens, "maxTokens == null");
    Objects.requireNonNull(temperature, "temperature == null");
  }

  /** A chat completion on {@code model} (null if unknown) at an OpenAI-compatible API. */
  public static GenAiRequest chat(String model, Integer maxTokens, Double temperature, boolean stream) {
    return new GenAiRequest(Operation.CHAT, PROVIDER_OPENAI, Optional.ofNullable(model),
        maxTokens == null ? OptionalInt.empty() : OptionalInt.of(maxTokens),
        temperature == null ? OptionalDouble.empty() : OptionalDouble.of(temperature), stream);
  }

  /** An embeddings request on {@code model} (null if unknown) at an OpenAI-compatible API. */
  public static GenAiRequest embeddings(String model) {
    return new GenAiRequest(Operation.EMBEDDINGS, PROVIDER_OPENAI, Optional.ofNullable(model),
        OptionalInt.empty(), OptionalDouble.empty(), false);
  }

  /** Values of {@code gen_ai.operation.name}. */
  public enum Operation {
    CHAT("chat"),
    EMBEDDINGS("embeddings"),
    TEXT_COMPLETION("text_completion");

    private final String semconv;

    Operation(String semconv) {
      this.semconv = semconv;
    }

    /** Returns the value as the semantic conventions spell it. */
    public String semconv() {
      return semconv;
    }
  }
}
