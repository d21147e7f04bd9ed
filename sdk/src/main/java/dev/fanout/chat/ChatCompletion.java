package dev.fanout.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.Excerpts;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The result of a chat completion, in the OpenAI shape: {@code id}, {@code model}, {@code created} and the
 * {@code choices} (one per {@code n}), each with a message (text, tool calls) and a finish reason, plus
 * token {@code usage} when the server sends it. A streamed completion is assembled from its chunks into the
 * same type. Immutable.
 *
 * <p>The convenience methods ({@link #content()}, {@link #toolCalls()}, {@link #parse(Class)}, ...) read
 * the first choice; {@link #choices()} has them all. Fields this type does not model stay readable in
 * {@link #raw()}.
 */
public final class ChatCompletion {
  private final String id;
  private final String model;
  private final long created;
  private final String systemFingerprint;
  private final List<Choice> choices;
  private final Usage usage;
  private final JsonNode raw;

  private ChatCompletion(JsonNode raw) {
    if (raw == null || !raw.isObject()) {
      throw new DecodeException("completion is not a JSON object");
    }
    this.raw = raw.deepCopy();
    this.id = Wire.optText(raw, "id", "completion").orElse("");
    this.model = Wire.optText(raw, "model", "completion").orElse("");
    this.created = raw.path("created").asLong(0);
    this.systemFingerprint = Wire.optText(raw, "system_fingerprint", "completion").orElse(null);
    JsonNode array = raw.get("choices");
    if (array == null || !array.isArray()) {
      throw new DecodeException(
          "completion has no choices array" + (array == null ? "" : " (" + Wire.kind(array) + ")"));
    }
    List<Choice> list = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      list.add(Choice.fromJson(array.get(i), i));
    }
    list.sort((a, b) -> Integer.compare(a.index, b.index));
    this.choices = List.copyOf(list);
    JsonNode u = raw.get("usage");
    this.usage = u == null || u.isNull() ? null : Usage.fromJson(u);
  }

  /**
   * Reads a completion from OpenAI's JSON (a {@code chat.completion} object), such as a response body or a
   * recorded fixture. Unknown fields are kept in {@link #raw()}.
   *
   * @throws DecodeException naming the field, if the JSON does not have the completion's shape
   */
  public static ChatCompletion fromJson(JsonNode json) {
    return new ChatCompletion(json);
  }

  /** Returns the completion's id, or {@code ""} if the server sent none. */
  public String id() {
    return id;
  }

  /** Returns the model that answered, or {@code ""}. */
  public String model() {
    return model;
  }

  /** Returns the creation time in Unix seconds, or 0. */
  public long created() {
    return created;
  }

  /** Returns the backend configuration fingerprint, when the server sent one. */
  public Optional<String> systemFingerprint() {
    return Optional.ofNullable(systemFingerprint);
  }

  /** Returns every choice, ordered by {@code index}. */
  public List<Choice> choices() {
    return choices;
  }

  /**
   * Returns the choice at position {@code i} of {@link #choices()}.
   *
   * @throws IndexOutOfBoundsException naming {@code i} and the number of choices
   */
  public Choice choice(int i) {
    if (i < 0 || i >= choices.size()) {
      throw new IndexOutOfBoundsException("choice " + i + " of " + choices.size());
    }
    return choices.get(i);
  }

  /** Returns token usage, when the server sent it (for a stream: with {@code streamUsage(true)}). */
  public Optional<Usage> usage() {
    return Optional.ofNullable(usage);
  }

  /** Returns (a copy of) the JSON this completion was read from; for a stream, the assembled completion. */
  public JsonNode raw() {
    return raw.deepCopy();
  }

  /** Returns the first choice's message text, or {@code ""} when there is no choice or no text. */
  public String content() {
    return choices.isEmpty() ? "" : choices.get(0).message().content();
  }

  /** Returns the first choice's message; fails with {@link DecodeException} if there is no choice. */
  public ChatMessage message() {
    return first().message();
  }

  /** Returns the first choice's tool calls; empty when there is no choice or it calls no tool. */
  public List<ToolCall> toolCalls() {
    return choices.isEmpty() ? List.of() : choices.get(0).message().toolCalls();
  }

  /** Returns the first choice's finish reason; {@link FinishReason#UNKNOWN} when there is no choice. */
  public FinishReason finishReason() {
    return choices.isEmpty() ? FinishReason.UNKNOWN : choices.get(0).finishReason();
  }

  /** Returns the first choice's text parsed as JSON, as {@link Choice#contentJson()} does. */
  public JsonNode contentJson() {
    return first().contentJson();
  }

  /** Returns the first choice's text bound to {@code type}, as {@link Choice#parse(Class)} does. */
  public <T> T parse(Class<T> type) {
    return first().parse(type);
  }

  private Choice first() {
    if (choices.isEmpty()) {
      throw new DecodeException("completion " + id + " has no choices");
    }
    return choices.get(0);
  }

  @Override
  public String toString() {
    return "ChatCompletion{id=" + id + ", model=" + model + ", choices=" + choices.size()
        + ", finishReason=" + finishReason() + ", usage=" + usage + '}';
  }

  /** One alternative answer: its index, message and finish reason. Immutable. */
  public static final class Choice {
    private final int index;
    private final ChatMessage message;
    private final String rawFinishReason;

    private Choice(int index, ChatMessage message, String rawFinishReason) {
      this.index = index;
      this.message = message;
      this.rawFinishReason = rawFinishReason;
    }

    static Choice fromJson(JsonNode node, int position) {
      String where = "choices[" + position + "]";
      if (node == null || !node.isObject()) {
        throw new DecodeException(where + " is not an object");
      }
      int index = node.path("index").asInt(position);
      ChatMessage message = ChatMessage.fromJson(Wire.object(node, "message", where), where + ".message");
      String finish = Wire.optText(node, "finish_reason", where).orElse(null);
      return new Choice(index, message, finish);
    }

    /** Returns the choice's {@code index}, 0 to {@code n - 1}. */
    public int index() {
      return index;
    }

    /** Returns the answer, ready to append to the conversation. */
    public ChatMessage message() {
      return message;
    }

    /** Returns the answer's text, or {@code ""}. */
    public String content() {
      return message.content();
    }

    /** Returns the tool calls the model asks for, in its order; empty if none. */
    public List<ToolCall> toolCalls() {
      return message.toolCalls();
    }

    /** Returns why the model stopped; {@link FinishReason#UNKNOWN} for a value this SDK does not know. */
    public FinishReason finishReason() {
      return FinishReason.of(rawFinishReason);
    }

    /** Returns the server's {@code finish_reason} string as sent, when it sent one. */
    public Optional<String> rawFinishReason() {
      return Optional.ofNullable(rawFinishReason);
    }

    /**
     * Returns the answer's text parsed as JSON, as a {@link ResponseFormat#jsonSchema json_schema} or
     * {@link ResponseFormat#jsonObject() json_object} request gets it.
     *
     * @throws DecodeException if the model refused, or the text is not valid JSON; the message names the
     *     choice, the parser's complaint and, when it is not {@code stop}, the finish reason (a
     *     {@code length} cut-off is the usual cause of truncated JSON)
     */
    public JsonNode contentJson() {
      String what = "choice " + index + " content";
      if (message.refusal().isPresent()) {
        throw new DecodeException("choice " + index + " was refused: " + Excerpts.abbreviate(message.refusal().get()));
      }
      FinishReason reason = finishReason();
      if (reason != FinishReason.STOP && rawFinishReason != null) {
        what += " (finish_reason " + rawFinishReason + ")";
      }
      return Wire.parse(message.content(), what);
    }

    /**
     * Returns the answer's text parsed as JSON and bound to {@code type} with Jackson (a record or bean;
     * unknown properties ignored).
     *
     * @throws DecodeException as {@link #contentJson()} does, or if the JSON does not fit {@code type}
     */
    public <T> T parse(Class<T> type) {
      Objects.requireNonNull(type, "type == null");
      return Wire.bind(contentJson(), type, "choice " + index + " content");
    }

    @Override
    public String toString() {
      return "Choice{index=" + index + ", finishReason=" + rawFinishReason + ", message=" + message + '}';
    }
  }

  /**
   * Token counts of the request and answer, with the detail counts OpenAI sends for cached prompt tokens
   * and reasoning tokens when present. Immutable.
   */
  public static final class Usage {
    private final int promptTokens;
    private final int completionTokens;
    private final int totalTokens;
    private final Integer cachedTokens;
    private final Integer reasoningTokens;
    private final JsonNode raw;

    private Usage(JsonNode raw) {
      if (!raw.isObject()) {
        throw new DecodeException("usage is not an object but " + Wire.kind(raw));
      }
      this.raw = raw.deepCopy();
      this.promptTokens = raw.path("prompt_tokens").asInt(0);
      this.completionTokens = raw.path("completion_tokens").asInt(0);
      this.totalTokens = raw.path("total_tokens").asInt(promptTokens + completionTokens);
      JsonNode cached = raw.path("prompt_tokens_details").path("cached_tokens");
      this.cachedTokens = cached.isNumber() ? cached.asInt() : null;
      JsonNode reasoning = raw.path("completion_tokens_details").path("reasoning_tokens");
      this.reasoningTokens = reasoning.isNumber() ? reasoning.asInt() : null;
    }

    static Usage fromJson(JsonNode node) {
      return new Usage(node);
    }

    /** Returns the tokens of the request. */
    public int promptTokens() {
      return promptTokens;
    }

    /** Returns the tokens of the answer (all choices). */
    public int completionTokens() {
      return completionTokens;
    }

    /** Returns prompt plus completion tokens. */
    public int totalTokens() {
      return totalTokens;
    }

    /** Returns {@code prompt_tokens_details.cached_tokens}, when sent. */
    public OptionalInt cachedTokens() {
      return cachedTokens == null ? OptionalInt.empty() : OptionalInt.of(cachedTokens);
    }

    /** Returns {@code completion_tokens_details.reasoning_tokens}, when sent. */
    public OptionalInt reasoningTokens() {
      return reasoningTokens == null ? OptionalInt.empty() : OptionalInt.of(reasoningTokens);
    }

    /** Returns (a copy of) the {@code usage} object as sent, with every detail. */
    public JsonNode raw() {
      return raw.deepCopy();
    }

    @Override
    public String toString() {
      return "Usage{prompt=" + promptTokens + ", completion=" + completionTokens + ", total=" + totalTokens + '}';
    }
  }
}
