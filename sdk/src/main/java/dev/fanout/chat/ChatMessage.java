package dev.fanout.chat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/** One message of a chat conversation: a role ({@code system}, {@code user}, {@code assistant}, ...) and its text. */
public record ChatMessage(String role, String content) {

  @JsonCreator
  public ChatMessage(
      @JsonProperty(value = "role", required = true) String role,
      @JsonProperty("content") String content) {
    this.role = Objects.requireNonNull(role, "role == null");
    this.content = content == null ? "" : content;
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", Objects.requireNonNull(content, "content == null"));
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", Objects.requireNonNull(content, "content == null"));
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", Objects.requireNonNull(content, "content == null"));
  }
}
