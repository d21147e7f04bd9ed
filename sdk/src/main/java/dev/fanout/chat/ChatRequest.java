package dev.fanout.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A chat completion request in the OpenAI shape: a model, the conversation so far, sampling settings,
 * tools the model may call and the format of its answer. Immutable; build one with {@link #builder()},
 * derive one with {@link #newBuilder()}.
 *
 * <p>Every option left unset is not sent, so the server's default applies. {@code stream} is not part of
 * the request: the client sets it according to the method called, and sends
 * {@code stream_options: {"include_usage": true}} on streams when {@link Builder#streamUsage(boolean)} is
 * on. Fields this class does not model go through {@link Builder#putExtra(String, Object)}.
 */
public final class ChatRequest {
  /** Streams do not ask for a usage chunk unless told: {@code false}. */
  public static final boolean DEFAULT_STREAM_USAGE = false;
  /** OpenAI's largest {@code n}: 128. */
  public static final int MAX_N = 128;
  /** OpenAI's largest number of stop sequences: 4. */
  public static final int MAX_STOP_SEQUENCES = 4;

  private final String model;
  private final List<ChatMessage> messages;
  private final Double temperature;
  private final Double topP;
  private final Integer n;
  private final Integer maxTokens;
  private final Integer maxCompletionTokens;
  private final List<String> stop;
  private final Long seed;
  private final String user;
  private final Double presencePenalty;
  private final Double frequencyPenalty;
  private final List<Tool> tools;
  private final ToolChoice toolChoice;
  private final Boolean parallelToolCalls;
  private final ResponseFormat responseFormat;
  private final boolean streamUsage;
  private final Map<String, Object> extra;

  ChatRequest(ChatRequestBuilder b) {
    this.model = b.model;
    this.messages = List.copyOf(b.messages);
    this.temperature = b.temperature;
    this.topP = b.topP;
    this.n = b.n;
    this.maxTokens = b.maxTokens;
    this.maxCompletionTokens = b.maxCompletionTokens;
    this.stop = List.copyOf(b.stop);
    this.seed = b.seed;
    this.user = b.user;
    this.presencePenalty = b.presencePenalty;
    this.frequencyPenalty = b.frequencyPenalty;
    this.tools = List.copyOf(b.tools);
    this.toolChoice = b.toolChoice;
    this.parallelToolCalls = b.parallelToolCalls;
    this.responseFormat = b.responseFormat;
    this.streamUsage = b.streamUsage;
    this.extra = Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the model name ({@code model}). */
  public String model() {
    return model;
  }

  /** Returns the conversation ({@code messages}), oldest first. */
  public List<ChatMessage> messages() {
    return messages;
  }

  /** Returns {@code temperature}, or {@code null} to leave it to the server. */
  public Double temperature() {
    return temperature;
  }

  /** Returns {@code top_p}, or {@code null}. */
  public Double topP() {
    return topP;
  }

  /** Returns {@code n}, the number of choices, or {@code null} (the server's default, 1). */
  public Integer n() {
    return n;
  }

  /** Returns {@code max_tokens}, the answer's token limit, or {@code null}. */
  public Integer maxTokens() {
    return maxTokens;
  }

  /** Returns {@code max_completion_tokens} (which counts reasoning tokens too), or {@code null}. */
  public Integer maxCompletionTokens() {
    return maxCompletionTokens;
  }

  /** Returns the {@code stop} sequences; empty when none are sent. */
  public List<String> stop() {
    return stop;
  }

  /** Returns {@code seed}, or {@code null}. */
  public Long seed() {
    return seed;
  }

  /** Returns {@code user}, the end user's id, or {@code null}. */
  public String user() {
    return user;
  }

  /** Returns {@code presence_penalty}, or {@code null}. */
  public Double presencePenalty() {
    return presencePenalty;
  }

  /** Returns {@code frequency_penalty}, or {@code null}. */
  public Double frequencyPenalty() {
    return frequencyPenalty;
  }

  /** Returns the {@code tools} the model may call; empty when none are sent. */
  public List<Tool> tools() {
    return tools;
  }

  /** Returns {@code tool_choice}, or {@code null} (the server's default: auto with tools, none without). */
  public ToolChoice toolChoice() {
    return toolChoice;
  }

  /** Returns {@code parallel_tool_calls}, or {@code null} (the server's default, true). */
  public Boolean parallelToolCalls() {
    return parallelToolCalls;
  }

  /** Returns {@code response_format}, or {@code null} (text). */
  public ResponseFormat responseFormat() {
    return responseFormat;
  }

  /** Returns whether a stream asks for a final usage chunk ({@code stream_options.include_usage}). */
  public boolean streamUsage() {
    return streamUsage;
  }

  /** Returns the extra fields sent as-is at the top level of the request body. */
  public Map<String, Object> extra() {
    return extra;
  }

  /**
   * Returns the request body as {@code create} sends it, in OpenAI's wire form (a stream adds
   * {@code "stream": true}): for logging and debugging. The API key is never in it.
   */
  public String toJson() {
    return toJsonNode().toString();
  }

  /**
   * Returns the request body as {@code create} sends it, in OpenAI's wire form, as a new JSON tree the
   * caller may change (a stream adds {@code "stream": true}); an option left unset is not in it. The API
   * key is never in it.
   */
  public ObjectNode toJsonNode() {
    return ChatRequestJson.write(this);
  }

  @Override
  public String toString() {
    return "ChatRequest{model=" + model + ", messages=" + messages.size()
        + (temperature == null ? "" : ", temperature=" + temperature)
        + (n == null ? "" : ", n=" + n)
        + (maxTokens == null ? "" : ", maxTokens=" + maxTokens)
        + (maxCompletionTokens == null ? "" : ", maxCompletionTokens=" + maxCompletionTokens)
        + (tools.isEmpty() ? "" : ", tools=" + tools.stream().map(Tool::name).collect(Collectors.toList()))
        + (toolChoice == null ? "" : ", toolChoice=" + toolChoice)
        + (responseFormat == null ? "" : ", responseFormat=" + responseFormat)
        + (streamUsage ? ", streamUsage" : "")
        + ", extra=" + extra.keySet() + '}';
  }

  /** Returns a builder with this request's settings, to derive another. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Builds a {@link ChatRequest}; {@code model} and at least one message are required. Every setter
   * validates its argument and names a bad value; {@code null} unsets an option.
   */
  public static final class Builder extends ChatRequestBuilder {
    private Builder() {}

    private Builder(ChatRequest r) {
      super(r);
    }
  }
}
