package dev.fanout.messages;

import dev.fanout.internal.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Messages API request: a model, {@code max_tokens}, the conversation so far, and optionally a system
 * prompt, sampling settings, stop sequences and tools. Immutable; build one with {@link #builder()}, derive
 * one with {@link #newBuilder()}.
 *
 * <p>{@code max_tokens} is required by the API, so {@link Builder#build()} refuses a request without it
 * before anything is sent. Every other option left unset is not sent. {@code stream} is not part of the
 * request: the client sets it according to the method called. Fields this class does not model (such as
 * {@code metadata}, {@code thinking} or {@code service_tier}) go through {@link Builder#putExtra}.
 */
public final class MessageRequest {
  /** The largest {@code temperature} the API accepts: 1.0. */
  public static final double MAX_TEMPERATURE = 1.0;

  private final String model;
  private final int maxTokens;
  private final String system;
  private final List<ContentBlock> systemBlocks;
  private final List<MessageParam> messages;
  private final Double temperature;
  private final Double topP;
  private final Integer topK;
  private final List<String> stopSequences;
  private final List<Tool> tools;
  private final ToolChoice toolChoice;
  private final Map<String, Object> extra;

  private MessageRequest(Builder b) {
    this.model = b.model;
    this.maxTokens = b.maxTokens;
    this.system = b.system;
    this.systemBlocks = List.copyOf(b.systemBlocks);
    this.messages = List.copyOf(b.messages);
    this.temperature = b.temperature;
    this.topP = b.topP;
    this.topK = b.topK;
    this.stopSequences = List.copyOf(b.stopSequences);
    this.tools = List.copyOf(b.tools);
    this.toolChoice = b.toolChoice;
    this.extra = Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns {@code model}. */
  public String model() {
    return model;
  }

  /** Returns {@code max_tokens}, the most tokens the answer may have. */
  public int maxTokens() {
    return maxTokens;
  }

  /**
   * Returns the {@code system} prompt set as a string, or {@code null} when none is sent or it is sent as
   * blocks ({@link #systemBlocks()}).
   */
  public String system() {
    return system;
  }

  /** Returns the {@code system} prompt set as text blocks; empty when none is sent or it is a string. */
  public List<ContentBlock> systemBlocks() {
    return systemBlocks;
  }

  /** Returns the conversation ({@code messages}), oldest first. */
  public List<MessageParam> messages() {
    return messages;
  }

  /** Returns {@code temperature}, or {@code null}. */
  public Double temperature() {
    return temperature;
  }

  /** Returns {@code top_p}, or {@code null}. */
  public Double topP() {
    return topP;
  }

  /** Returns {@code top_k}, or {@code null}. */
  public Integer topK() {
    return topK;
  }

  /** Returns {@code stop_sequences}; empty when none are sent. */
  public List<String> stopSequences() {
    return stopSequences;
  }

  /** Returns {@code tools}; empty when none are sent. */
  public List<Tool> tools() {
    return tools;
  }

  /** Returns {@code tool_choice}, or {@code null}. */
  public ToolChoice toolChoice() {
    return toolChoice;
  }

  /** Returns the extra top-level fields, sent as given. */
  public Map<String, Object> extra() {
    return extra;
  }

  @Override
  public String toString() {
    return "MessageRequest{model=" + model + ", maxTokens=" + maxTokens + ", messages=" + messages.size()
        + (tools.isEmpty() ? "" : ", tools=" + tools.size()) + '}';
  }

  /** Returns a builder with this request's settings, to derive another. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /** Builds a {@link MessageRequest}; {@link #model}, {@link #maxTokens} and a first message are required. */
  public static final class Builder {
    private String model;
    /** -1 until set: 0 is a valid {@code max_tokens}. */
    private int maxTokens = -1;
    private String system;
    private final List<ContentBlock> systemBlocks = new ArrayList<>();
    private final List<MessageParam> messages = new ArrayList<>();
    private Double temperature;
    private Double topP;
    private Integer topK;
    private final List<String> stopSequences = new ArrayList<>();
    private final List<Tool> tools = new ArrayList<>();
    private ToolChoice toolChoice;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    private Builder(MessageRequest r) {
      model = r.model;
      maxTokens = r.maxTokens;
      system = r.system;
      systemBlocks.addAll(r.systemBlocks);
      messages.addAll(r.messages);
      temperature = r.temperature;
      topP = r.topP;
      topK = r.topK;
      stopSequences.addAll(r.stopSequences);
      tools.addAll(r.tools);
      toolChoice = r.toolChoice;
      extra.putAll(r.extra);
    }

    /** Sets the model, such as {@code claude-sonnet-4-5}. Required. */
    public Builder model(String model) {
      this.model = Checks.notBlank(model, "model");
      return this;
    }

    /**
     * Sets {@code max_tokens}, the most tokens the answer may have. Required by the API. 0 generates nothing:
     * the request only writes its prompt to the prompt cache (pre-warming it for the calls that follow).
     */
    public Builder maxTokens(int maxTokens) {
      if (maxTokens < 0) {
        throw new IllegalArgumentException("maxTokens < 0: " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Sets the {@code system} prompt as a string, replacing any set as blocks; {@code null} sends none.
     * Defaults to none.
     */
    public Builder system(String system) {
      this.system = system;
      this.systemBlocks.clear();
      return this;
    }

    /**
     * Sets the {@code system} prompt as text blocks, replacing any set as a string; an empty list sends none.
     * Each block is a {@link ContentBlock.Text}, or a text block in its wire form as a
     * {@link ContentBlock.Other}, such as {@code {"type":"text","text":"...","cache_control":{"type":"ephemeral"}}}
     * to mark a prompt-cache breakpoint. Defaults to none.
     *
     * @throws IllegalArgumentException if a block is not a text block
     */
    public Builder system(List<? extends ContentBlock> blocks) {
      Objects.requireNonNull(blocks, "blocks == null");
      for (int i = 0; i < blocks.size(); i++) {
        ContentBlock b = Objects.requireNonNull(blocks.get(i), "blocks[" + i + "] == null");
        if (!b.type().equals("text")) {
          throw new IllegalArgumentException("system blocks[" + i + "] is a " + b.type()
              + " block: the system prompt takes text blocks only");
        }
      }
      this.system = null;
      this.systemBlocks.clear();
      this.systemBlocks.addAll(blocks);
      return this;
    }

    /** Replaces the conversation with {@code messages}, oldest first. */
    public Builder messages(List<MessageParam> messages) {
      Objects.requireNonNull(messages, "messages == null");
      List<MessageParam> copy = new ArrayList<>(messages.size());
      for (int i = 0; i < messages.size(); i++) {
        copy.add(Objects.requireNonNull(messages.get(i), "messages[" + i + "] == null"));
      }
      this.messages.clear();
      this.messages.addAll(copy);
      return this;
    }

    /** Adds one turn to the conversation. */
    public Builder addMessage(MessageParam message) {
      messages.add(Objects.requireNonNull(message, "message == null"));
      return this;
    }

    /** Adds a user turn of one text block. */
    public Builder addUserMessage(String text) {
      return addMessage(MessageParam.user(text));
    }

    /** Sets {@code temperature}, 0.0 to 1.0. Defaults to unset (the server's default, 1.0). */
    public Builder temperature(double temperature) {
      if (!(temperature >= 0 && temperature <= MAX_TEMPERATURE)) {
        throw new IllegalArgumentException("temperature must be in [0, 1]: " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    /** Sets {@code top_p}, in (0, 1]. Defaults to unset. */
    public Builder topP(double topP) {
      if (!(topP > 0 && topP <= 1)) {
        throw new IllegalArgumentException("topP must be in (0, 1]: " + topP);
      }
      this.topP = topP;
      return this;
    }

    /** Sets {@code top_k}, at least 1. Defaults to unset. */
    public Builder topK(int topK) {
      if (topK < 1) {
        throw new IllegalArgumentException("topK < 1: " + topK);
      }
      this.topK = topK;
      return this;
    }

    /** Sets {@code stop_sequences}: the answer ends when the model writes one of them. Defaults to none. */
    public Builder stopSequences(List<String> stopSequences) {
      Objects.requireNonNull(stopSequences, "stopSequences == null");
      for (int i = 0; i < stopSequences.size(); i++) {
        String s = stopSequences.get(i);
        if (s == null || s.isEmpty()) {
          throw new IllegalArgumentException("stopSequences[" + i + "] is " + (s == null ? "null" : "empty"));
        }
      }
      this.stopSequences.clear();
      this.stopSequences.addAll(stopSequences);
      return this;
    }

    /**
     * Sets the {@code tools} the model may use (names must be unique): custom tools ({@link Tool#of}) and
     * tools in wire form ({@link Tool#fromJson}, such as Anthropic's server tools). Defaults to none.
     */
    public Builder tools(List<Tool> tools) {
      Objects.requireNonNull(tools, "tools == null");
      java.util.Set<String> names = new java.util.HashSet<>();
      for (int i = 0; i < tools.size(); i++) {
        Tool t = Objects.requireNonNull(tools.get(i), "tools[" + i + "] == null");
        if (!names.add(t.name())) {
          throw new IllegalArgumentException("two tools are named \"" + t.name() + "\"");
        }
      }
      this.tools.clear();
      this.tools.addAll(tools);
      return this;
    }

    /** Sets {@code tool_choice}; {@code null} sends none (the server's default, auto). Defaults to unset. */
    public Builder toolChoice(ToolChoice toolChoice) {
      this.toolChoice = toolChoice;
      return this;
    }

    /**
     * Sends {@code value} (serialized with Jackson) as the top-level field {@code name}, for fields this
     * class does not model; {@code null} removes it. Modelled fields cannot be set this way.
     */
    public Builder putExtra(String name, Object value) {
      Objects.requireNonNull(name, "name == null");
      if (MODELLED.contains(name)) {
        throw new IllegalArgumentException("\"" + name + "\" has its own builder method");
      }
      if (value == null) {
        extra.remove(name);
      } else {
        extra.put(name, value);
      }
      return this;
    }

    private static final java.util.Set<String> MODELLED = java.util.Set.of("model", "max_tokens", "system",
        "messages", "temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice", "stream");

    /**
     * Returns the request.
     *
     * @throws IllegalStateException if the model, {@code max_tokens} or every message is missing, or
     *     {@code toolChoice} names a tool not among the tools
     */
    public MessageRequest build() {
      if (model == null) {
        throw new IllegalStateException("model is required");
      }
      if (maxTokens < 0) {
        throw new IllegalStateException("maxTokens is required: the Messages API refuses a request without max_tokens");
      }
      if (messages.isEmpty()) {
        throw new IllegalStateException("messages is empty: the Messages API needs at least one message");
      }
      if (toolChoice != null && toolChoice.name().isPresent()
          && tools.stream().noneMatch(t -> t.name().equals(toolChoice.name().get()))) {
        throw new IllegalStateException("toolChoice names \"" + toolChoice.name().get() + "\", which is not among the tools");
      }
      return new MessageRequest(this);
    }
  }
}
