package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.mock.internal.ChatDispatcher.ToolResult;
import java.util.List;

/**
 * A chat-completions request that passed {@link ChatRequestChecks}: what {@link ChatDispatcher} needs to
 * answer it.
 *
 * @param model the model named by the request
 * @param turns the messages, in order
 * @param toolResults the tool results after the last assistant {@code tool_calls}, empty after a later user message
 * @param stream whether to answer with server-sent events
 * @param maxTokens {@code max_tokens} or {@code max_completion_tokens} (the latter wins), null when neither is set
 * @param choices how many choices to answer ({@code n})
 * @param includeUsage whether a stream ends with a usage chunk
 * @param tools the {@code function} object of each tool, in order
 * @param choiceMode {@code none}, {@code auto}, {@code required} or {@code function} (a named function)
 * @param named the function {@code tool_choice} names, or null
 * @param parallel whether one answer may call several tools
 * @param format {@code text}, {@code json_object} or {@code json_schema}
 * @param schema the JSON schema to answer with ({@code {"type": "object"}} when none is given), or null
 *     unless {@code format} is {@code json_schema}
 */
record ChatRequest(String model, List<Turn> turns, List<ToolResult> toolResults, boolean stream, Integer maxTokens,
    int choices, boolean includeUsage, List<JsonNode> tools, String choiceMode, String named, boolean parallel,
    String format, JsonNode schema) {

  /** One message of the conversation: its role, and its text (an assistant's tool calls appended). */
  record Turn(String role, String text) {}

  /** Each turn as {@code role:text}, one a line. */
  String transcript() {
    return transcript(turns);
  }

  /** The text of the last user message, or empty. */
  String lastUser() {
    String last = "";
    for (Turn t : turns) if (t.role().equals("user")) last = t.text();
    return last;
  }

  /** The role of the last message. */
  String lastRole() {
    return turns.get(turns.size() - 1).role();
  }

  /** {@code turns} as {@code role:text}, one a line. */
  static String transcript(List<Turn> turns) {
    StringBuilder b = new StringBuilder();
    for (Turn t : turns) b.append(t.role()).append(':').append(t.text()).append('\n');
    return b.toString();
  }
}
