package dev.fanout.messages;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.Excerpts;

/**
 * A count of the tokens a message request's input would use, as the token-counting endpoint
 * ({@code POST messages/count_tokens}) answers it: the system prompt, tools and messages together.
 *
 * @param inputTokens {@code input_tokens}: every input token, whether or not a later call would read it from the
 *     prompt cache
 */
public record MessageTokenCount(long inputTokens) {
  /** Checks that the count is not negative. */
  public MessageTokenCount {
    if (inputTokens < 0) {
      throw new IllegalArgumentException("inputTokens < 0: " + inputTokens);
    }
  }

  /**
   * Reads a count from its JSON ({@code {"input_tokens": 14}}); other fields are ignored.
   *
   * @throws DecodeException if {@code json} is not an object with a non-negative integer {@code input_tokens}
   */
  public static MessageTokenCount fromJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new DecodeException("token count is not a JSON object: " + Excerpts.abbreviate(String.valueOf(json)));
    }
    JsonNode n = json.get("input_tokens");
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
      throw new DecodeException("token count has no input_tokens count: " + Excerpts.abbreviate(json.toString()));
    }
    return new MessageTokenCount(n.asLong());
  }
}
