package dev.fanout.chat;

import dev.fanout.internal.Checks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The setters of {@link ChatRequest.Builder}: what a chat request holds while it is built, each value checked
 * against OpenAI's limits as it is set and the tool options against the tools at {@link #build()}. Every
 * setter names a bad value; {@code null} unsets an option.
 */
abstract class ChatRequestBuilder {
  /** Wire names set by dedicated methods (or by the client), refused by {@link #putExtra}. */
  private static final Set<String> RESERVED = Set.of(
      "model", "messages", "temperature", "top_p", "n", "max_tokens", "max_completion_tokens", "stop",
      "seed", "user", "presence_penalty", "frequency_penalty", "tools", "tool_choice",
      "parallel_tool_calls", "response_format", "stream", "stream_options");

  String model;
  final List<ChatMessage> messages = new ArrayList<>();
  Double temperature;
  Double topP;
  Integer n;
  Integer maxTokens;
  Integer maxCompletionTokens;
  final List<String> stop = new ArrayList<>();
  Long seed;
  String user;
  Double presencePenalty;
  Double frequencyPenalty;
  final List<Tool> tools = new ArrayList<>();
  ToolChoice toolChoice;
  Boolean parallelToolCalls;
  ResponseFormat responseFormat;
  boolean streamUsage = ChatRequest.DEFAULT_STREAM_USAGE;
  final Map<String, Object> extra = new LinkedHashMap<>();

  ChatRequestBuilder() {}

  ChatRequestBuilder(ChatRequest r) {
    this.model = r.model();
    this.messages.addAll(r.messages());
    this.temperature = r.temperature();
    this.topP = r.topP();
    this.n = r.n();
    this.maxTokens = r.maxTokens();
    this.maxCompletionTokens = r.maxCompletionTokens();
    this.stop.addAll(r.stop());
    this.seed = r.seed();
    this.user = r.user();
    this.presencePenalty = r.presencePenalty();
    this.frequencyPenalty = r.frequencyPenalty();
    this.tools.addAll(r.tools());
    this.toolChoice = r.toolChoice();
    this.parallelToolCalls = r.parallelToolCalls();
    this.responseFormat = r.responseFormat();
    this.streamUsage = r.streamUsage();
    this.extra.putAll(r.extra());
  }

  /** Sets the model name, such as {@code gpt-4o-mini}. Required; no default. */
  public ChatRequest.Builder model(String model) {
    this.model = Checks.notBlank(model, "model");
    return self();
  }

  /** Appends a message. At least one is required. */
  public ChatRequest.Builder addMessage(ChatMessage message) {
    this.messages.add(Objects.requireNonNull(message, "message == null"));
    return self();
  }

  /** Appends a message with {@code role} and {@code content}. */
  public ChatRequest.Builder addMessage(String role, String content) {
    return addMessage(ChatMessage.of(role, content));
  }

  /** Appends a {@code user} message. */
  public ChatRequest.Builder addUserMessage(String content) {
    return addMessage(ChatMessage.user(content));
  }

  /** Appends a {@code system} message. */
  public ChatRequest.Builder addSystemMessage(String content) {
    return addMessage(ChatMessage.system(content));
  }

  /** Appends an {@code assistant} message (text only); for one with tool calls append the model's own message. */
  public ChatRequest.Builder addAssistantMessage(String content) {
    return addMessage(ChatMessage.assistant(content));
  }

  /** Appends a {@code tool} message: the result of call {@code toolCallId}. */
  public ChatRequest.Builder addToolMessage(String toolCallId, String content) {
    return addMessage(ChatMessage.tool(toolCallId, content));
  }

  /** Appends messages in order. */
  public ChatRequest.Builder addMessages(List<ChatMessage> messages) {
    Objects.requireNonNull(messages, "messages == null");
    messages.forEach(this::addMessage);
    return self();
  }

  /** Replaces the messages. */
  public ChatRequest.Builder messages(List<ChatMessage> messages) {
    Objects.requireNonNull(messages, "messages == null");
    this.messages.clear();
    return addMessages(messages);
  }

  /** Sets {@code temperature}, in [0, 2]. Defaults to null (the server's default). */
  public ChatRequest.Builder temperature(Double temperature) {
    if (temperature != null && !(temperature >= 0.0 && temperature <= 2.0)) {
      throw new IllegalArgumentException("temperature not in [0, 2]: " + temperature);
    }
    this.temperature = temperature;
    return self();
  }

  /** Sets {@code top_p}, nucleus sampling, in [0, 1]. Defaults to null (the server's default). */
  public ChatRequest.Builder topP(Double topP) {
    if (topP != null && !(topP >= 0.0 && topP <= 1.0)) {
      throw new IllegalArgumentException("topP not in [0, 1]: " + topP);
    }
    this.topP = topP;
    return self();
  }

  /** Sets {@code n}, how many choices to generate, 1 to {@value ChatRequest#MAX_N}. Defaults to null (one). */
  public ChatRequest.Builder n(Integer n) {
    if (n != null && n < 1) {
      throw new IllegalArgumentException("n < 1: " + n);
    }
    if (n != null && n > ChatRequest.MAX_N) {
      throw new IllegalArgumentException("n > " + ChatRequest.MAX_N + ": " + n);
    }
    this.n = n;
    return self();
  }

  /** Sets {@code max_tokens}, the answer's token limit, at least 1. Defaults to null (the server's default). */
  public ChatRequest.Builder maxTokens(Integer maxTokens) {
    if (maxTokens != null && maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens < 1: " + maxTokens);
    }
    this.maxTokens = maxTokens;
    return self();
  }

  /**
   * Sets {@code max_completion_tokens}, the limit on generated tokens including reasoning tokens (what
   * OpenAI's reasoning models take instead of {@code max_tokens}), at least 1. Defaults to null.
   */
  public ChatRequest.Builder maxCompletionTokens(Integer maxCompletionTokens) {
    if (maxCompletionTokens != null && maxCompletionTokens < 1) {
      throw new IllegalArgumentException("maxCompletionTokens < 1: " + maxCompletionTokens);
    }
    this.maxCompletionTokens = maxCompletionTokens;
    return self();
  }

  /**
   * Sets the {@code stop} sequences, up to {@value ChatRequest#MAX_STOP_SEQUENCES} non-empty strings; an
   * empty list sends none. Defaults to none.
   */
  public ChatRequest.Builder stop(List<String> stop) {
    Objects.requireNonNull(stop, "stop == null");
    if (stop.size() > ChatRequest.MAX_STOP_SEQUENCES) {
      throw new IllegalArgumentException(
          "stop has " + stop.size() + " sequences, more than " + ChatRequest.MAX_STOP_SEQUENCES);
    }
    for (int i = 0; i < stop.size(); i++) {
      String s = stop.get(i);
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException("stop[" + i + "] is " + (s == null ? "null" : "empty"));
      }
    }
    this.stop.clear();
    this.stop.addAll(stop);
    return self();
  }

  /** Sets the {@code stop} sequences. Defaults to none. */
  public ChatRequest.Builder stop(String... stop) {
    Objects.requireNonNull(stop, "stop == null");
    return stop(java.util.Arrays.asList(stop));
  }

  /** Sets {@code seed}, for best-effort repeatable sampling. Defaults to null. */
  public ChatRequest.Builder seed(Long seed) {
    this.seed = seed;
    return self();
  }

  /** Sets {@code user}, a stable id of the end user, for abuse monitoring; not blank. Defaults to null. */
  public ChatRequest.Builder user(String user) {
    this.user = Checks.nullOrNotBlank(user, "user");
    return self();
  }

  /** Sets {@code presence_penalty}, in [-2, 2]. Defaults to null (the server's default, 0). */
  public ChatRequest.Builder presencePenalty(Double presencePenalty) {
    this.presencePenalty = penalty(presencePenalty, "presencePenalty");
    return self();
  }

  /** Sets {@code frequency_penalty}, in [-2, 2]. Defaults to null (the server's default, 0). */
  public ChatRequest.Builder frequencyPenalty(Double frequencyPenalty) {
    this.frequencyPenalty = penalty(frequencyPenalty, "frequencyPenalty");
    return self();
  }

  /** Adds a tool the model may call; names must be unique. Defaults to no tools. */
  public ChatRequest.Builder addTool(Tool tool) {
    Objects.requireNonNull(tool, "tool == null");
    for (Tool t : tools) {
      if (t.name().equals(tool.name())) {
        throw new IllegalArgumentException("duplicate tool name: " + tool.name());
      }
    }
    this.tools.add(tool);
    return self();
  }

  /** Replaces the tools. Defaults to no tools. */
  public ChatRequest.Builder tools(List<Tool> tools) {
    Objects.requireNonNull(tools, "tools == null");
    this.tools.clear();
    tools.forEach(this::addTool);
    return self();
  }

  /**
   * Sets {@code tool_choice}; {@link ToolChoice#required()} and {@link ToolChoice#function(String)} need
   * tools (checked by {@link #build()}). Defaults to null (the server's default: auto with tools).
   */
  public ChatRequest.Builder toolChoice(ToolChoice toolChoice) {
    this.toolChoice = toolChoice;
    return self();
  }

  /**
   * Sets {@code parallel_tool_calls}: whether the model may ask for several calls in one turn; needs
   * tools (checked by {@link #build()}). Defaults to null (the server's default, true).
   */
  public ChatRequest.Builder parallelToolCalls(Boolean parallelToolCalls) {
    this.parallelToolCalls = parallelToolCalls;
    return self();
  }

  /** Sets {@code response_format}. Defaults to null (text). */
  public ChatRequest.Builder responseFormat(ResponseFormat responseFormat) {
    this.responseFormat = responseFormat;
    return self();
  }

  /**
   * Makes streams ask for token usage ({@code stream_options: {"include_usage": true}}): the server then
   * sends a last chunk with {@code usage} and no choices, read into {@link ChatCompletion#usage()}. Not
   * sent on non-streamed calls, which always get usage. Defaults to false.
   */
  public ChatRequest.Builder streamUsage(boolean streamUsage) {
    this.streamUsage = streamUsage;
    return self();
  }

  /**
   * Adds a field sent as-is at the top level of the request body (for example {@code logprobs} or a
   * server-specific option); the value is serialized with Jackson. Fields with a dedicated method are
   * refused. Defaults to no extra fields.
   */
  public ChatRequest.Builder putExtra(String name, Object value) {
    Objects.requireNonNull(name, "name == null");
    if (RESERVED.contains(name)) {
      throw new IllegalArgumentException("extra field is set by a dedicated method: " + name);
    }
    this.extra.put(name, value);
    return self();
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

  private ChatRequest.Builder self() {
    return (ChatRequest.Builder) this;
  }
}
