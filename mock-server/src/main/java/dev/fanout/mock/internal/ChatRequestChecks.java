package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.mock.internal.ChatDispatcher.ToolResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@code POST /v1/chat/completions} body the way OpenAI does and reads what the answer needs
 * from it. A bad field is a 400 in OpenAI's error shape, with OpenAI's wording, {@code param} and
 * {@code code}; the checks run in a fixed order and the first that fails is the reply.
 */
final class ChatRequestChecks {
  /** OpenAI's bound on {@code n}: 1 to 128 choices. */
  static final int MAX_CHOICES = 128;
  private static final Pattern FUNCTION_NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  private ChatRequestChecks() {}

  /** A checked request ({@code request}), or the 400 that refuses it ({@code refusal}); one is null. */
  record Checked(ChatRequest request, Reply refusal) {
    static Checked refused(Reply refusal) {
      return new Checked(null, refusal);
    }
  }

  /** Checks {@code root}, a request's parsed JSON body. */
  static Checked check(JsonNode root) {
    if (!root.isObject()) {
      return Checked.refused(Reply.badRequest("Invalid body: expected a JSON object, got " + type(root), null));
    }
    JsonNode model = root.get("model");
    if (model != null && !model.isNull() && !model.isTextual()) {
      return Checked.refused(Reply.badRequest("Invalid type for 'model': expected a string, but got " + type(model)
          + ".", "model"));
    }
    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) {
      return Checked.refused(Reply.error(400, "Missing required parameter: 'messages'.", "invalid_request_error",
          "messages", "missing_required_parameter"));
    }
    if (!messages.isArray()) {
      return Checked.refused(Reply.badRequest("Invalid type for 'messages': expected an array, but got "
          + type(messages) + ".", "messages"));
    }
    if (messages.size() == 0) {
      return Checked.refused(Reply.badRequest("Invalid 'messages': empty array. Expected an array with minimum "
          + "length 1.", "messages"));
    }
    List<ChatRequest.Turn> turns = new ArrayList<>();
    List<ToolResult> toolResults = new ArrayList<>();
    Reply refusal = messages(messages, turns, toolResults);
    if (refusal != null) return Checked.refused(refusal);

    JsonNode stream = root.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return Checked.refused(Reply.badRequest("Invalid type for 'stream': expected a boolean, but got "
          + type(stream) + ".", "stream"));
    }
    Integer maxTokens = null;
    for (String name : List.of("max_tokens", "max_completion_tokens")) {
      JsonNode n = root.get(name);
      if (n == null || n.isNull()) continue;
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > 1_000_000) {
        return Checked.refused(Reply.badRequest("Invalid '" + name + "': expected an integer >= 1, got " + n + ".",
            name));
      }
      maxTokens = n.asInt();
    }
    int choices = 1;
    JsonNode n = root.get("n");
    if (n != null && !n.isNull()) {
      refusal = choices(n);
      if (refusal != null) return Checked.refused(refusal);
      choices = n.asInt();
    }
    JsonNode temperature = root.get("temperature");
    if (temperature != null && !temperature.isNull()
        && !(temperature.isNumber() && temperature.asDouble() >= 0 && temperature.asDouble() <= 2)) {
      return Checked.refused(Reply.badRequest("Invalid 'temperature': expected a number from 0 to 2, got "
          + temperature + ".", "temperature"));
    }
    refusal = streamOptions(root.get("stream_options"));
    if (refusal != null) return Checked.refused(refusal);
    boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);

    List<JsonNode> tools = new ArrayList<>();
    refusal = tools(root.get("tools"), tools);
    if (refusal != null) return Checked.refused(refusal);
    String choiceMode = "auto";
    String named = null;
    JsonNode toolChoice = root.get("tool_choice");
    if (toolChoice != null && !toolChoice.isNull()) {
      refusal = toolChoice(toolChoice, tools);
      if (refusal != null) return Checked.refused(refusal);
      if (toolChoice.isTextual()) {
        choiceMode = toolChoice.asText();
      } else {
        named = toolChoice.get("function").get("name").asText();
        choiceMode = "function";
      }
    }
    JsonNode parallelNode = root.get("parallel_tool_calls");
    if (parallelNode != null && !parallelNode.isNull() && !parallelNode.isBoolean()) {
      return Checked.refused(Reply.badRequest("Invalid type for 'parallel_tool_calls': expected a boolean, but got "
          + type(parallelNode) + ".", "parallel_tool_calls"));
    }
    boolean parallel = parallelNode == null || parallelNode.isNull() || parallelNode.asBoolean();

    JsonNode schema = null;
    String format = "text";
    JsonNode responseFormat = root.get("response_format");
    if (responseFormat != null && !responseFormat.isNull()) {
      refusal = responseFormat(responseFormat, turns);
      if (refusal != null) return Checked.refused(refusal);
      format = responseFormat.path("type").asText("");
      if (format.equals("json_schema")) {
        schema = responseFormat.get("json_schema").get("schema");
        if (schema == null || schema.isNull()) schema = Json.object().put("type", "object");
      }
    }

    if (model == null || model.isNull() || model.asText().isEmpty()) {
      return Checked.refused(Reply.error(400, "Missing required parameter: 'model'. You must provide a model "
          + "parameter.", "invalid_request_error", "model", "missing_required_parameter"));
    }
    return new Checked(new ChatRequest(model.asText(), turns, toolResults, stream != null && stream.asBoolean(),
        maxTokens, choices, includeUsage, tools, choiceMode, named, parallel, format, schema), null);
  }

  /**
   * Checks each message in order, adding it to {@code turns} and the tool results it carries to {@code
   * toolResults}: a {@code tool} message must answer a preceding assistant {@code tool_calls} entry, and
   * every such entry must be answered before the next other message. Null when all are fine.
   */
  private static Reply messages(JsonNode messages, List<ChatRequest.Turn> turns, List<ToolResult> toolResults) {
    Map<String, String> pendingCalls = new LinkedHashMap<>(); // tool_call_id -> function name, awaiting results
    Map<String, String> callNames = new LinkedHashMap<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String param = "messages[" + i + "]";
      if (!m.isObject()) {
        return Reply.badRequest("Invalid type for '" + param + "': expected an object, but got " + type(m) + ".",
            param);
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual()) {
        return Reply.badRequest("Missing or invalid '" + param + ".role': expected a string.", param + ".role");
      }
      if (!ROLES.contains(role.asText())) {
        return Reply.badRequest("Invalid value for '" + param + ".role': '" + role.asText() + "' (expected one of "
            + ROLES + ").", param + ".role");
      }
      String text;
      JsonNode content = m.get("content");
      if (content == null || content.isNull()) {
        text = "";
      } else if (content.isTextual()) {
        text = content.asText();
      } else if (content.isArray()) {
        StringBuilder parts = new StringBuilder();
        for (JsonNode part : content) {
          if (part.isObject() && part.path("text").isTextual()) parts.append(part.get("text").asText()).append(' ');
        }
        text = parts.toString().trim();
      } else {
        return Reply.badRequest("Invalid type for '" + param + ".content': expected a string or an array, but got "
            + type(content) + ".", param + ".content");
      }
      String r = role.asText();
      if (r.equals("tool")) {
        JsonNode callId = m.get("tool_call_id");
        if (callId == null || !callId.isTextual()) {
          return Reply.error(400, "Missing required parameter: '" + param + ".tool_call_id'.", "invalid_request_error",
              param + ".tool_call_id", "missing_required_parameter");
        }
        if (!callNames.containsKey(callId.asText())) {
          return Reply.badRequest("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
              + "message with 'tool_calls'.", "messages.[" + i + "].role");
        }
        pendingCalls.remove(callId.asText());
        toolResults.add(new ToolResult(callNames.get(callId.asText()), text));
      } else {
        if (!pendingCalls.isEmpty()) return unanswered(pendingCalls, i - 1);
        if (r.equals("user")) toolResults.clear();
      }
      JsonNode calls = m.get("tool_calls");
      if (r.equals("assistant") && calls != null && !calls.isNull()) {
        if (!calls.isArray()) {
          return Reply.badRequest("Invalid type for '" + param + ".tool_calls': expected an array, but got "
              + type(calls) + ".", param + ".tool_calls");
        }
        toolResults.clear();
        callNames.clear();
        for (int k = 0; k < calls.size(); k++) {
          JsonNode c = calls.get(k);
          String cp = param + ".tool_calls[" + k + "]";
          if (!c.path("id").isTextual()) {
            return Reply.badRequest("Missing or invalid '" + cp + ".id': expected a string.", cp + ".id");
          }
          if (!c.path("function").path("name").isTextual()) {
            return Reply.badRequest("Missing or invalid '" + cp + ".function.name': expected a string.",
                cp + ".function.name");
          }
          if (!c.path("function").path("arguments").isTextual()) {
            return Reply.badRequest("Missing or invalid '" + cp + ".function.arguments': expected a string.",
                cp + ".function.arguments");
          }
          pendingCalls.put(c.get("id").asText(), c.get("function").get("name").asText());
          callNames.put(c.get("id").asText(), c.get("function").get("name").asText());
          text = text + " " + c.get("function").get("name").asText() + c.get("function").get("arguments").asText();
        }
      }
      turns.add(new ChatRequest.Turn(r, text));
    }
    if (!pendingCalls.isEmpty()) return unanswered(pendingCalls, messages.size() - 1);
    return null;
  }

  private static Reply unanswered(Map<String, String> pending, int index) {
    return Reply.badRequest("An assistant message with 'tool_calls' must be followed by tool messages responding to "
        + "each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        + String.join(", ", pending.keySet()), "messages.[" + index + "].role");
  }

  /** Checks {@code n} (present, not null) with OpenAI's words and codes for an integer out of its range. */
  private static Reply choices(JsonNode n) {
    if (!n.isIntegralNumber()) {
      return Reply.badRequest("Invalid type for 'n': expected an integer, but got " + type(n) + " (" + n + ").", "n");
    }
    if (n.bigIntegerValue().signum() < 1) {
      return Reply.error(400, "Invalid 'n': integer below minimum value. Expected a value >= 1, but got " + n
          + " instead.", "invalid_request_error", "n", "integer_below_min_value");
    }
    if (!n.canConvertToInt() || n.asInt() > MAX_CHOICES) {
      return Reply.error(400, "Invalid 'n': integer above maximum value. Expected a value <= " + MAX_CHOICES
          + ", but got " + n + " instead.", "invalid_request_error", "n", "integer_above_max_value");
    }
    return null;
  }

  private static Reply streamOptions(JsonNode streamOptions) {
    if (streamOptions == null || streamOptions.isNull()) return null;
    if (!streamOptions.isObject()) {
      return Reply.badRequest("Invalid type for 'stream_options': expected an object, but got " + type(streamOptions)
          + ".", "stream_options");
    }
    JsonNode usageOption = streamOptions.get("include_usage");
    if (usageOption != null && !usageOption.isNull() && !usageOption.isBoolean()) {
      return Reply.badRequest("Invalid type for 'stream_options.include_usage': expected a boolean, but got "
          + type(usageOption) + ".", "stream_options.include_usage");
    }
    return null;
  }

  /** Checks {@code tools} (any value or none), adding each tool's {@code function} object to {@code functions}. */
  private static Reply tools(JsonNode toolsNode, List<JsonNode> functions) {
    if (toolsNode == null || toolsNode.isNull()) return null;
    if (!toolsNode.isArray()) {
      return Reply.badRequest("Invalid type for 'tools': expected an array, but got " + type(toolsNode) + ".", "tools");
    }
    if (toolsNode.size() == 0) {
      return Reply.badRequest("Invalid 'tools': empty array. Expected an array with minimum length 1, but got an "
          + "empty array instead.", "tools");
    }
    for (int i = 0; i < toolsNode.size(); i++) {
      JsonNode t = toolsNode.get(i);
      String param = "tools[" + i + "]";
      if (!t.isObject() || !"function".equals(t.path("type").asText())) {
        return Reply.badRequest("Invalid value for '" + param + ".type': expected 'function'.", param + ".type");
      }
      JsonNode f = t.get("function");
      if (f == null || !f.isObject()) {
        return Reply.error(400, "Missing required parameter: '" + param + ".function'.", "invalid_request_error",
            param + ".function", "missing_required_parameter");
      }
      JsonNode name = f.get("name");
      if (name == null || !name.isTextual() || !FUNCTION_NAME.matcher(name.asText()).matches()) {
        return Reply.badRequest("Invalid '" + param + ".function.name': string does not match pattern. Expected a "
            + "string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.", param + ".function.name");
      }
      JsonNode parameters = f.get("parameters");
      if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
        return Reply.badRequest("Invalid type for '" + param + ".function.parameters': expected an object, but got "
            + type(parameters) + ".", param + ".function.parameters");
      }
      functions.add(f);
    }
    return null;
  }

  /** Checks {@code tool_choice} (present, not null) against the checked {@code tools}. */
  private static Reply toolChoice(JsonNode toolChoice, List<JsonNode> tools) {
    if (tools.isEmpty()) {
      return Reply.badRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
          + "specified.", "tool_choice");
    }
    if (toolChoice.isTextual() && Set.of("none", "auto", "required").contains(toolChoice.asText())) return null;
    if (toolChoice.isObject() && "function".equals(toolChoice.path("type").asText())
        && toolChoice.path("function").path("name").isTextual()) {
      String named = toolChoice.get("function").get("name").asText();
      if (tools.stream().noneMatch(t -> t.path("name").asText().equals(named))) {
        return Reply.badRequest("Invalid value for 'tool_choice': function '" + named + "' is not among the tools "
            + "specified.", "tool_choice");
      }
      return null;
    }
    return Reply.badRequest("Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or "
        + "{\"type\": \"function\", \"function\": {\"name\": ...}}, got " + toolChoice + ".", "tool_choice");
  }

  /** Checks {@code response_format} (present, not null); {@code json_object} needs the word "json" in a message. */
  private static Reply responseFormat(JsonNode responseFormat, List<ChatRequest.Turn> turns) {
    String t = responseFormat.path("type").asText("");
    if (!responseFormat.isObject() || !Set.of("text", "json_object", "json_schema").contains(t)) {
      return Reply.badRequest("Invalid value for 'response_format.type': expected one of 'text', 'json_object' or "
          + "'json_schema', got " + responseFormat.path("type") + ".", "response_format.type");
    }
    if (t.equals("json_schema")) {
      JsonNode js = responseFormat.get("json_schema");
      if (js == null || !js.isObject()) {
        return Reply.error(400, "Missing required parameter: 'response_format.json_schema'.", "invalid_request_error",
            "response_format.json_schema", "missing_required_parameter");
      }
      if (!js.path("name").isTextual() || !FUNCTION_NAME.matcher(js.get("name").asText()).matches()) {
        return Reply.error(400, "Missing required parameter: 'response_format.json_schema.name'.",
            "invalid_request_error", "response_format.json_schema.name", "missing_required_parameter");
      }
      JsonNode schema = js.get("schema");
      if (schema != null && !schema.isNull() && !schema.isObject()) {
        return Reply.badRequest("Invalid type for 'response_format.json_schema.schema': expected an object, but got "
            + type(schema) + ".", "response_format.json_schema.schema");
      }
    } else if (t.equals("json_object") && !ChatRequest.transcript(turns).toLowerCase(Locale.ROOT).contains("json")) {
      return Reply.badRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of "
          + "type 'json_object'.", "messages");
    }
    return null;
  }

  /** A JSON value's type in OpenAI's words: "an array", "a string", ... */
  private static String type(JsonNode node) {
    switch (node.getNodeType()) {
      case ARRAY: return "an array";
      case OBJECT: return "an object";
      case STRING: return "a string";
      case NUMBER: return "a number";
      case BOOLEAN: return "a boolean";
      case NULL: return "null";
      default: return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
  }
}
