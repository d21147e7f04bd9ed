package dev.fanout.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.internal.Json;
import java.util.Map;

/** Writes a {@link ChatRequest} in OpenAI's wire form, as {@link ChatRequest#toJsonNode()} documents. */
final class ChatRequestJson {
  private ChatRequestJson() {}

  static ObjectNode write(ChatRequest r) {
    ObjectNode body = Json.objectNode();
    body.put("model", r.model());
    body.set("messages", Json.valueToTree(r.messages()));
    putIfSet(body, "temperature", r.temperature());
    putIfSet(body, "top_p", r.topP());
    putIfSet(body, "n", r.n());
    putIfSet(body, "max_tokens", r.maxTokens());
    putIfSet(body, "max_completion_tokens", r.maxCompletionTokens());
    if (!r.stop().isEmpty()) {
      body.set("stop", Json.valueToTree(r.stop()));
    }
    putIfSet(body, "seed", r.seed());
    putIfSet(body, "user", r.user());
    putIfSet(body, "presence_penalty", r.presencePenalty());
    putIfSet(body, "frequency_penalty", r.frequencyPenalty());
    if (!r.tools().isEmpty()) {
      body.set("tools", Json.valueToTree(r.tools()));
    }
    putIfSet(body, "tool_choice", r.toolChoice());
    putIfSet(body, "parallel_tool_calls", r.parallelToolCalls());
    putIfSet(body, "response_format", r.responseFormat());
    for (Map.Entry<String, Object> e : r.extra().entrySet()) {
      body.set(e.getKey(), Json.valueToTree(e.getValue()));
    }
    return body;
  }

  private static void putIfSet(ObjectNode body, String name, Object value) {
    if (value != null) {
      body.set(name, Json.valueToTree(value));
    }
  }
}
