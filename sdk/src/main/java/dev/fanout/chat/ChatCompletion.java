package dev.fanout.chat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * The result of a chat completion, in the OpenAI shape: {@code id}, {@code model}, {@code created} and the
 * {@code choices}, each with a message and a finish reason, plus token {@code usage} when the server sends
 * it. A streamed completion is assembled from its deltas into the same type. Immutable.
 */
public record ChatCompletion(String id, String model, long created, List<Choice> choices, Usage usage) {

  @JsonCreator
  public ChatCompletion(
      @JsonProperty("id") String id,
      @JsonProperty("model") String model,
      @JsonProperty("created") long created,
      @JsonProperty(value = "choices", required = true) List<Choice> choices,
      @JsonProperty("usage") Usage usage) {
    this.id = id == null ? "" : id;
    this.model = model == null ? "" : model;
    this.created = created;
    this.choices = List.copyOf(Objects.requireNonNull(choices, "choices == null"));
    this.usage = usage;
  }

  /** Returns the first choice's message text, or {@code ""} when there is no choice. */
  public String content() {
    return choices.isEmpty() ? "" : choices.get(0).message().content();
  }

  /** One alternative answer. */
  public record Choice(int index, ChatMessage message, String finishReason) {
    @JsonCreator
    public Choice(
        @JsonProperty("index") int index,
        @JsonProperty(value = "message", required = true) ChatMessage message,
        @JsonProperty("finish_reason") String finishReason) {
      this.index = index;
      this.message = Objects.requireNonNull(message, "message == null");
      this.finishReason = finishReason;
    }
  }

  /** Token counts of the request and answer. */
  public record Usage(int promptTokens, int completionTokens, int totalTokens) {
    @JsonCreator
    public Usage(
        @JsonProperty("prompt_tokens") int promptTokens,
        @JsonProperty("completion_tokens") int completionTokens,
        @JsonProperty("total_tokens") int totalTokens) {
      this.promptTokens = promptTokens;
      this.completionTokens = completionTokens;
      this.totalTokens = totalTokens;
    }
  }
}
