package dev.fanout.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.internal.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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

  private ChatRequest(Builder b) {
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
  public static final class Builder {
    /** Wire names set by dedicated methods (or by the client), refused by {@link #putExtra}. */
    private static final Set<String> RESERVED = Set.of(
        "model", "messages", "temperature", "top_p", "n", "max_tokens", "max_completion_tokens", "stop",
        "seed", "user", "presence_penalty", "frequency_penalty", "tools", "tool_choice",
        "parallel_tool_calls", "response_format", "stream", "stream_options");

    private String model;
    private final List<ChatMessage> messages = new ArrayList<>();
    private Double temperature;
    private Double topP;
    private Integer n;
    private Integer maxTokens;
    private Integer maxCompletionTokens;
    private final List<String> stop = new ArrayList<>();
    private Long seed;
    private String user;
    private Double presencePenalty;
    private Double frequencyPenalty;
    private final List<Tool> tools = new ArrayList<>();
    private ToolChoice toolChoice;
    private Boolean parallelToolCalls;
    private ResponseFormat responseFormat;
    private boolean streamUsage = DEFAULT_STREAM_USAGE;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    private Builder(ChatRequest r) {
      this.model = r.model;
      this.messages.addAll(r.messages);
      this.temperature = r.temperature;
      this.topP = r.topP;
      this.n = r.n;
      this.maxTokens = r.maxTokens;
      this.maxCompletionTokens = r.maxCompletionTokens;
      this.stop.addAll(r.stop);
      this.seed = r.seed;
      this.user = r.user;
      this.presencePenalty = r.presencePenalty;
      this.frequencyPenalty = r.frequencyPenalty;
      this.tools.addAll(r.tools);
      this.toolChoice = r.toolChoice;
      this.parallelToolCalls = r.parallelToolCalls;
      this.responseFormat = r.responseFormat;
      this.streamUsage = r.streamUsage;
      this.extra.putAll(r.extra);
    }

    /** Sets the model name, such as {@code gpt-4o-mini}. Required; no default. */
    public Builder model(String model) {
      this.model = Checks.notBlank(model, "model");
      return this;
    }

    /** Appends a message. At least one is required. */
    public Builder addMessage(ChatMessage message) {
      this.messages.add(Objects.requireNonNull(message, "message == null"));
      return this;
    }

    /** Appends a message with {@code role} and {@code content}. */
    public Builder addMessage(String role, String content) {
      return addMessage(ChatMessage.of(role, content));
    }

    /** Appends a {@code user} message. */
    public Builder addUserMessage(String content) {
      return addMessage(ChatMessage.user(content));
    }

    /** Appends a {@code system} message. */
    public Builder addSystemMessage(String content) {
      return addMessage(ChatMessage.system(content));
    }

    /** Appends an {@code assistant} message (text only); for one with tool calls append the model's own message. */
    public Builder addAssistantMessage(String content) {
      return addMessage(ChatMessage.assistant(content));
    }

    /** Appends a {@code tool} message: the result of call {@code toolCallId}. */
    public Builder addToolMessage(String toolCallId, String content) {
      return addMessage(ChatMessage.tool(toolCallId, content));
    }

    /** Appends messages in order. */
    public Builder addMessages(List<ChatMessage> messages) {
      Objects.requireNonNull(messages, "messages == null");
      messages.forEach(this::addMessage);
      return this;
    }

    /** Replaces the messages. */
    public Builder messages(List<ChatMessage> messages) {
      Objects.requireNonNull(messages, "messages == null");
      this.messages.clear();
      return addMessages(messages);
    }

    /** Sets {@code temperature}, in [0, 2]. Defaults to null (the server's default). */
    public Builder temperature(Double temperature) {
      if (temperature != null && !(temperature >= 0.0 && temperature <= 2.0)) {
        throw new IllegalArgumentException("temperature not in [0, 2]: " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    /** Sets {@code top_p}, nucleus sampling, in [0, 1]. Defaults to null (the server's default). */
    public Builder topP(Double topP) {
      if (topP != null && !(topP >= 0.0 && topP <= 1.0)) {
        throw new IllegalArgumentException("topP not in [0, 1]: " + topP);
      }
      this.topP = topP;
      return this;
    }

    /** Sets {@code n}, how many choices to generate, 1 to {@value ChatRequest#MAX_N}. Defaults to null (one). */
    public Builder n(Integer n) {
      if (n != null && n < 1) {
        throw new IllegalArgumentException("n < 1: " + n);
      }
      if (n != null && n > MAX_N) {
        throw new IllegalArgumentException("n > " + MAX_N + ": " + n);
      }
      this.n = n;
      return this;
    }

    /** Sets {@code max_tokens}, the answer's token limit, at least 1. Defaults to null (the server's default). */
    public Builder maxTokens(Integer maxTokens) {
      if (maxTokens != null && maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens < 1: " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Sets {@code max_completion_tokens}, the limit on generated tokens including reasoning tokens (what
     * OpenAI's reasoning models take instead of {@code max_tokens}), at least 1. Defaults to null.
     */
    public Builder maxCompletionTokens(Integer maxCompletionTokens) {
      if (maxCompletionTokens != null && maxCompletionTokens < 1) {
        throw new IllegalArgumentException("maxCompletionTokens < 1: " + maxCompletionTokens);
      }
      this.maxCompletionTokens = maxCompletionTokens;
      return this;
    }

    /**
     * Sets the {@code stop} sequences, up to {@value ChatRequest#MAX_STOP_SEQUENCES} non-empty strings; an
     * empty list sends none. Defaults to none.
     */
    public Builder stop(List<String> stop) {
      Objects.requireNonNull(stop, "stop == null");
      if (stop.size() > MAX_STOP_SEQUENCES) {
        throw new IllegalArgumentException(
            "stop has " + stop.size() + " sequences, more than " + MAX_STOP_SEQUENCES);
      }
      for (int i = 0; i < stop.size(); i++) {
        String s = stop.get(i);
        if (s == null || s.isEmpty()) {
          throw new IllegalArgumentException("stop[" + i + "] is " + (s == null ? "null" : "empty"));
        }
      }
      this.stop.clear();
      this.stop.addAll(stop);
      return this;
    }

    /** Sets the {@code stop} sequences. Defaults to none. */
    public Builder stop(String... stop) {
      Objects.requireNonNull(stop, "stop == null");
      return stop(java.util.Arrays.asList(stop));
    }

    /** Sets {@code seed}, for best-effort repeatable sampling. Defaults to null. */
    public Builder seed(Long seed) {
      this.seed = seed;
      return this;
    }

    /** Sets {@code user}, a stable id of the end user, for abuse monitoring; not blank. Defaults to null. */
    public Builder user(String user) {
      this.user = Checks.nullOrNotBlank(user, "user");
      return this;
    }

    /** Sets {@code presence_penalty}, in [-2, 2]. Defaults to null (the server's default, 0). */
    public Builder presencePenalty(Double presencePenalty) {
      this.presencePenalty = penalty(presencePenalty, "presencePenalty");
      return this;
    }

    /** Sets {@code frequency_penalty}, in [-2, 2]. Defaults to null (the server's default, 0). */
    public Builder frequencyPenalty(Double frequencyPenalty) {
      this.frequencyPenalty = penalty(frequencyPenalty, "frequencyPenalty");
      return this;
    }

    /** Adds a tool the model may call; names must be unique. Defaults to no tools. */
    public Builder addTool(Tool tool) {
      Objects.requireNonNull(tool, "tool == null");
      for (Tool t : tools) {
        if (t.name().equals(tool.name())) {
          throw new IllegalArgumentException("duplicate tool name: " + tool.name());
        }
      }
      this.tools.add(tool);
      return this;
    }

    /** Replaces the tools. Defaults to no tools. */
    public Builder tools(List<Tool> tools) {
      Objects.requireNonNull(tools, "tools == null");
      this.tools.clear();
      tools.forEach(this::addTool);
      return this;
    }

    /**
     * Sets {@code tool_choice}; {@link ToolChoice#required()} and {@link ToolChoice#function(String)} need
     * tools (checked by {@link #build()}). Defaults to null (the server's default: auto with tools).
     */
    public Builder toolChoice(ToolChoice toolChoice) {
      this.toolChoice = toolChoice;
      return this;
    }

    /**
     * Sets {@code parallel_tool_calls}: whether the model may ask for several calls in one turn; needs
     * tools (checked by {@link #build()}). Defaults to null (the server's default, true).
     */
    public Builder parallelToolCalls(Boolean parallelToolCalls) {
      this.parallelToolCalls = parallelToolCalls;
      return this;
    }

    /** Sets {@code response_format}. Defaults to null (text). */
    public Builder responseFormat(ResponseFormat responseFormat) {
      this.responseFormat = responseFormat;
      return this;
    }

    /**
     * Makes streams ask for token usage ({@code stream_options: {"include_usage": true}}): the server then
     * sends a last chunk with {@code usage} and no choices, read into {@link ChatCompletion#usage()}. Not
     * sent on non-streamed calls, which always get usage. Defaults to false.
     */
    public Builder streamUsage(boolean streamUsage) {
      this.streamUsage = streamUsage;
      return this;
    }

    /**
     * Adds a field sent as-is at the top level of the request body (for example {@code logprobs} or a
     * server-specific option); the value is serialized with Jackson. Fields with a dedicated method are
     * refused. Defaults to no extra fields.
     */
    public Builder putExtra(String name, Object value) {
      Objects.requireNonNull(name, "name == null");
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("extra field is set by a dedicated method: " + name);
      }
      this.extra.put(name, value);
      return this;
    }

    /**
     * Builds the request.
     *
     * @throws IllegalStateException if the model or messages are missing, or a tool option needs tools that
     *     are not there
     */
    public ChatRequest build() {
      if (model == null) {
        throw new IllegalStateException("model == null");
      }
      if (messages.isEmpty()) {
        throw new IllegalStateException("messages is empty");
      }
      if (tools.isEmpty() && toolChoice != null
          && (toolChoice.mode() == ToolChoice.Mode.REQUIRED || toolChoice.mode() == ToolChoice.Mode.FUNCTION)) {
        throw new IllegalStateException("toolChoice " + toolChoice + " needs tools, but none were added");
      }
      if (toolChoice != null && toolChoice.mode() == ToolChoice.Mode.FUNCTION && !tools.isEmpty()) {
        String name = toolChoice.functionName().orElseThrow();
        if (tools.stream().noneMatch(t -> t.name().equals(name))) {
          throw new IllegalStateException("toolChoice names function \"" + name + "\", not among tools "
              + tools.stream().map(Tool::name).collect(Collectors.toList()));
        }
      }
      if (parallelToolCalls != null && tools.isEmpty()) {
        throw new IllegalStateException("parallelToolCalls needs tools, but none were added");
      }
      return new ChatRequest(this);
    }

    private static Double penalty(Double value, String name) {
      if (value != null && !(value >= -2.0 && value <= 2.0)) {
        throw new IllegalArgumentException(name + " not in [-2, 2]: " + value);
      }
      return value;
    }
  }
}
