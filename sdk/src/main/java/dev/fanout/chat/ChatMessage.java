package dev.fanout.chat;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.Checks;
import dev.fanout.internal.Excerpts;
import dev.fanout.internal.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of a chat conversation in OpenAI's shape: a role ({@code system}, {@code developer},
 * {@code user}, {@code assistant} or {@code tool}) and its text (for a user message, text and images as
 * {@link ContentPart}s), plus, for an assistant message, the tool
 * calls it asks for, and for a tool message, the id of the call it answers. Immutable.
 *
 * <p>An agent turn reads: the model's answer ({@link ChatCompletion#message()}) is appended to the
 * conversation as it is, then one {@link #tool(String, String)} message per {@link ToolCall}, then the
 * conversation is sent again.
 */
public final class ChatMessage {
  private final String role;
  private final String content; // null: no content (an assistant message that only calls tools)
  private final List<ToolCall> toolCalls;
  private final String toolCallId;
  private final String refusal;
  private final List<ContentPart> parts; // empty: the content is text alone

  private ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String refusal) {
    this(role, content, toolCalls, toolCallId, refusal, List.of());
  }

  private ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String refusal,
      List<ContentPart> parts) {
    this.role = role;
    this.parts = List.copyOf(parts);
    this.content = content;
    this.toolCalls = List.copyOf(toolCalls);
    this.toolCallId = toolCallId;
    this.refusal = refusal;
  }

  /** Returns a message with any {@code role} and text, for roles this class has no factory for. */
  public static ChatMessage of(String role, String content) {
    return new ChatMessage(Checks.notBlank(role, "role"), Objects.requireNonNull(content, "content == null"), List.of(), null, null);
  }

  /** Returns a {@code system} message: instructions to the model. */
  public static ChatMessage system(String content) {
    return of("system", content);
  }

  /** Returns a {@code developer} message, the newer models' name for system instructions. */
  public static ChatMessage developer(String content) {
    return of("developer", content);
  }

  /** Returns a {@code user} message. */
  public static ChatMessage user(String content) {
    return of("user", content);
  }

  /**
   * Returns a {@code user} message of parts, text and images, sent as OpenAI's content array; its
   * {@link #content()} is the text parts joined by newlines.
   */
  public static ChatMessage user(List<ContentPart> parts) {
    Objects.requireNonNull(parts, "parts == null");
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("parts is empty: use user(content) for a text message");
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      ContentPart part = Objects.requireNonNull(parts.get(i), "parts[" + i + "] == null");
      if (part instanceof ContentPart.Text t) {
        if (text.length() > 0) {
          text.append('\n');
        }
        text.append(t.text());
      }
    }
    return new ChatMessage("user", text.toString(), List.of(), null, null, parts);
  }

  /** As {@link #user(List)}. */
  public static ChatMessage user(ContentPart... parts) {
    return user(List.of(Objects.requireNonNull(parts, "parts == null")));
  }

  /** Returns an {@code assistant} message with text only. */
  public static ChatMessage assistant(String content) {
    return of("assistant", content);
  }

  /**
   * Returns an {@code assistant} message that calls tools, as the model sent it, to replay a conversation.
   * {@code content} may be null (no text, as OpenAI sends with tool calls); {@code toolCalls} must not be
   * empty.
   */
  public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
    Objects.requireNonNull(toolCalls, "toolCalls == null");
    if (toolCalls.isEmpty()) {
      throw new IllegalArgumentException("toolCalls is empty: use assistant(content) for a text answer");
    }
    for (int i = 0; i < toolCalls.size(); i++) {
      Objects.requireNonNull(toolCalls.get(i), "toolCalls[" + i + "] == null");
    }
    return new ChatMessage("assistant", content, toolCalls, null, null);
  }

  /**
   * Returns a {@code tool} message: the result of the call {@code toolCallId} (a {@link ToolCall#id()}),
   * usually JSON text.
   */
  public static ChatMessage tool(String toolCallId, String content) {
    Checks.notBlank(toolCallId, "toolCallId");
    return new ChatMessage("tool", Objects.requireNonNull(content, "content == null"), List.of(), toolCallId, null);
  }

  /** Reads a response's {@code message} (or an assembled stream's); {@code where} names it in errors. */
  static ChatMessage fromJson(JsonNode node, String where) {
    if (node == null || !node.isObject()) {
      throw new DecodeException(where + " is not an object");
    }
    String role = Wire.optText(node, "role", where).orElse("assistant");
    String content = Wire.optText(node, "content", where).orElse(null);
    String refusal = Wire.optText(node, "refusal", where).orElse(null);
    List<ToolCall> calls = new ArrayList<>();
    JsonNode array = node.get("tool_calls");
    if (array != null && !array.isNull()) {
      if (!array.isArray()) {
        throw new DecodeException(where + ".tool_calls is not an array but " + Wire.kind(array));
      }
      for (int i = 0; i < array.size(); i++) {
        calls.add(ToolCall.fromJson(array.get(i), where + ".tool_calls[" + i + "]"));
      }
    }
    String toolCallId = Wire.optText(node, "tool_call_id", where).orElse(null);
    return new ChatMessage(role, content, calls, toolCallId, refusal);
  }

  /** Returns the role, such as {@code user} or {@code assistant}. */
  public String role() {
    return role;
  }

  /** Returns the text, or {@code ""} when the message has none (an assistant message that only calls tools). */
  public String content() {
    return content == null ? "" : content;
  }

  /** Returns the parts of a user message made of parts ({@link #user(List)}); empty for a text message. */
  public List<ContentPart> parts() {
    return parts;
  }

  /** Returns true if the message has text (possibly empty), false if its content was absent or null. */
  public boolean hasContent() {
    return content != null;
  }

  /** Returns the tool calls of an assistant message, in the model's order; empty for other messages. */
  public List<ToolCall> toolCalls() {
    return toolCalls;
  }

  /** Returns the id of the call a {@code tool} message answers. */
  public Optional<String> toolCallId() {
    return Optional.ofNullable(toolCallId);
  }

  /** Returns the model's refusal of a structured-output request, when it refused. */
  public Optional<String> refusal() {
    return Optional.ofNullable(refusal);
  }

  @JsonValue
  JsonNode toJson() {
    ObjectNode node = Json.objectNode();
    node.put("role", role);
    if (!parts.isEmpty()) {
      ArrayNode array = node.putArray("content");
      for (ContentPart part : parts) {
        ObjectNode p = array.addObject();
        if (part instanceof ContentPart.Text t) {
          p.put("type", "text").put("text", t.text());
        } else if (part instanceof ContentPart.ImageUrl image) {
          ObjectNode url = p.put("type", "image_url").putObject("image_url").put("url", image.url());
          if (image.detail() != null) {
            url.put("detail", image.detail());
          }
        }
      }
    } else if (content != null) {
      node.put("content", content);
    } else {
      node.putNull("content");
    }
    if (refusal != null) {
      node.put("refusal", refusal);
    }
    if (!toolCalls.isEmpty()) {
      ArrayNode array = node.putArray("tool_calls");
      toolCalls.forEach(c -> array.add(c.toJson()));
    }
    if (toolCallId != null) {
      node.put("tool_call_id", toolCallId);
    }
    return node;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChatMessage m && role.equals(m.role) && Objects.equals(content, m.content)
        && toolCalls.equals(m.toolCalls) && Objects.equals(toolCallId, m.toolCallId)
        && Objects.equals(refusal, m.refusal) && parts.equals(m.parts);
  }

  @Override
  public int hashCode() {
    return Objects.hash(role, content, toolCalls, toolCallId, refusal, parts);
  }

  @Override
  public String toString() {
    return "ChatMessage{role=" + role + ", content=" + Excerpts.abbreviate(content)
        + (toolCalls.isEmpty() ? "" : ", toolCalls=" + toolCalls)
        + (toolCallId == null ? "" : ", toolCallId=" + toolCallId)
        + (parts.isEmpty() ? "" : ", parts=" + parts) + '}';
  }
}
