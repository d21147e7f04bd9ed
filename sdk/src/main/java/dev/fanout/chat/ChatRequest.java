package dev.fanout.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat completion request in the OpenAI shape: a model, the conversation so far and optional sampling
 * settings. Immutable; build one with {@link #builder()}, derive one with {@link #newBuilder()}.
 *
 * <p>{@code stream} is not part of the request: the client sets it according to the method called.
 */
public final class ChatRequest {
  private final String model;
  private final List<ChatMessage> messages;
  private final Double temperature;
  private final Integer maxTokens;
  private final Map<String, Object> extra;

  private ChatRequest(Builder b) {
    this.model = b.model;
    this.messages = List.copyOf(b.messages);
    this.temperature = b.temperature;
    this.maxTokens = b.maxTokens;
    this.extra = Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
  }

  public String model() {
    return model;
  }

  public List<ChatMessage> messages() {
    return messages;
  }

  /** Returns the sampling temperature, or {@code null} to leave it to the server. */
  public Double temperature() {
    return temperature;
  }

  /** Returns the answer's token limit, or {@code null} to leave it to the server. */
  public Integer maxTokens() {
    return maxTokens;
  }

  /** Returns the extra fields sent as-is at the top level of the request body. */
  public Map<String, Object> extra() {
    return extra;
  }

  @Override
  public String toString() {
    return "ChatRequest{model=" + model + ", messages=" + messages.size()
        + ", temperature=" + temperature + ", maxTokens=" + maxTokens + ", extra=" + extra.keySet() + '}';
  }

  /** Builds a {@link ChatRequest}; {@code model} and at least one message are required. */
  public static final class Builder {
    private static final java.util.Set<String> RESERVED =
        java.util.Set.of("model", "messages", "temperature", "max_tokens", "stream");

    private String model;
    private final List<ChatMessage> messages = new ArrayList<>();
    private Double temperature;
    private Integer maxTokens;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    private Builder(ChatRequest r) {
      this.model = r.model;
      this.messages.addAll(r.messages);
      this.temperature = r.temperature;
      this.maxTokens = r.maxTokens;
      this.extra.putAll(r.extra);
    }

    /** Sets the model name, such as {@code gpt-4o-mini}. Required; no default. */
    public Builder model(String model) {
      Objects.requireNonNull(model, "model == null");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model is blank: \"" + model + "\"");
      }
      this.model = model;
      return this;
    }

    /** Appends a message. At least one is required. */
    public Builder addMessage(ChatMessage message) {
      this.messages.add(Objects.requireNonNull(message, "message == null"));
      return this;
    }

    /** Appends a message with {@code role} and {@code content}. */
    public Builder addMessage(String role, String content) {
      return addMessage(new ChatMessage(role, Objects.requireNonNull(content, "content == null")));
    }

    /** Appends a {@code user} message. */
    public Builder addUserMessage(String content) {
      return addMessage(ChatMessage.user(content));
    }

    /** Appends a {@code system} message. */
    public Builder addSystemMessage(String content) {
      return addMessage(ChatMessage.system(content));
    }

    /** Replaces the messages. */
    public Builder messages(List<ChatMessage> messages) {
      Objects.requireNonNull(messages, "messages == null");
      this.messages.clear();
      messages.forEach(this::addMessage);
      return this;
    }

    /** Sets the sampling temperature, in [0, 2]; {@code null} leaves it to the server. Defaults to null. */
    public Builder temperature(Double temperature) {
      if (temperature != null && !(temperature >= 0.0 && temperature <= 2.0)) {
        throw new IllegalArgumentException("temperature not in [0, 2]: " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    /** Sets the answer's token limit, at least 1; {@code null} leaves it to the server. Defaults to null. */
    public Builder maxTokens(Integer maxTokens) {
      if (maxTokens != null && maxTokens < 1) {
        throw new IllegalArgumentException("maxTokens < 1: " + maxTokens);
      }
      this.maxTokens = maxTokens;
      return this;
    }

    /**
     * Adds a field sent as-is at the top level of the request body (for example {@code top_p} or a
     * server-specific option); the value is serialized with Jackson. Defaults to no extra fields.
     */
    public Builder putExtra(String name, Object value) {
      Objects.requireNonNull(name, "name == null");
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("extra field is set by a dedicated method: " + name);
      }
      this.extra.put(name, value);
      return this;
    }

    public ChatRequest build() {
      if (model == null) {
        throw new IllegalStateException("model == null");
      }
      if (messages.isEmpty()) {
        throw new IllegalStateException("messages is empty");
      }
      return new ChatRequest(this);
    }
  }
}
