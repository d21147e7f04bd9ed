package dev.fanout.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.internal.Json;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * An agent as another agent's tool ({@link Agent.Builder#addAgentTool}): what the model is told (a function
 * taking one {@code task} string), how a call becomes the inner agent's task, and the handler that runs the
 * inner agent inside the calling tool's context.
 */
final class AgentTool {
  /** The parameters of an agent added as a tool: one string, the task. */
  private static final JsonNode TASK_SCHEMA = Json.valueToTree(Map.of(
      "type", "object",
      "properties", Map.of("task", Map.of("type", "string", "description", "What to do, in one sentence.")),
      "required", List.of("task"),
      "additionalProperties", false));

  private AgentTool() {}

  /** Returns the tool {@code name}, described by {@code description}, whose one parameter is the task. */
  static Tool tool(String name, String description) {
    return Tool.function(name, description, TASK_SCHEMA, true);
  }

  /**
   * Returns {@code agent} as a tool's function: {@code task} turns the call into the agent's task, run inside
   * the calling tool's context; cancelling the answer cancels the inner run.
   */
  static ToolHandler handler(Agent agent, Function<ToolCall, String> task) {
    return (call, context) -> {
      CompletableFuture<AgentResult> inner = agent.runAsync(task.apply(call), context);
      CompletableFuture<String> answer = inner.thenApply(AgentResult::content);
      answer.whenComplete((value, error) -> {
        if (answer.isCancelled()) {
          inner.cancel(true);
        }
      });
      return answer;
    };
  }

  /** The task of a call to an agent tool: its {@code task} argument, else its arguments as written. */
  static String taskOf(ToolCall call) {
    try {
      JsonNode task = call.argumentsJson().get("task");
      if (task != null && task.isTextual()) {
        return task.asText();
      }
    } catch (RuntimeException notJson) {
      // fall through: the model's text is the task
    }
    return call.arguments().isBlank() ? call.name() : call.arguments();
  }
}
