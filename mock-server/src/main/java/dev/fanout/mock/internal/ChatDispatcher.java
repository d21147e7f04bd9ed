package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible and as strict: {@code model} and {@code messages}
 * are required, a {@code tool} message must answer a preceding assistant {@code tool_calls} entry (and
 * every such entry must be answered), {@code n} is 1 to 128; bad input is a 400 in OpenAI's error shape
 * naming the parameter. The answer is deterministic:
 *
 * <ul>
 *   <li>with {@code tools} and the last message from the user (or {@code tool_choice} {@code required}
 *       or a named function), tool calls chosen by {@link ToolPlan} ({@code finish_reason: tool_calls});
 *       {@code tool_choice: none} answers text;
 *   <li>after tool results, a final text that quotes each result by its tool's name;
 *   <li>{@code response_format} {@code json_schema}: JSON content built by {@link Schemas} (every
 *       property filled), {@code json_object}: {@code {"answer": ...}};
 *   <li>otherwise a sentence echoing the last user message;
 *   <li>{@code n} choices, index 0 to n-1; {@code "stream": true} answers server-sent events ({@code
 *       chat.completion.chunk} objects, tool calls as {@code delta.tool_calls[{index, id, type,
 *       function: {name, arguments}}]} with the arguments in fragments, {@code stream_options:
 *       {include_usage: true}} a final usage chunk, then {@code data: [DONE]}).
 * </ul>
 */
public final class ChatDispatcher extends BackendDispatcher {
  /** OpenAI's bound on {@code n}: 1 to 128 choices. */
  public static final int MAX_CHOICES = 128;
  private static final Pattern FUNCTION_NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
  private static final int MAX_RESULT_CHARS = 500;
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
  private static final int ECHO_WORDS = 12;

  private final AtomicLong sequence = new AtomicLong();

  @Override
  public Reply handle(ReceivedRequest request) {
    JsonPost post = jsonPost(request, "/v1/chat/completions");
    if (post.refusal() != null) return post.refusal();
    JsonNode root = post.root();
    if (!root.isObject()) return Reply.badRequest("Invalid body: expected a JSON object, got " + type(root), null);

    JsonNode model = root.get("model");
    if (model != null && !model.isNull() && !model.isTextual()) {
      return Reply.badRequest("Invalid type for 'model': expected a string, but got " + type(model) + ".", "model");
    }
    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) {
      return Reply.error(400, "Missing required parameter: 'messages'.", "invalid_request_error", "messages",
          "missing_required_parameter");
    }
    if (!messages.isArray()) {
      return Reply.badRequest("Invalid type for 'messages': expected an array, but got " + type(messages) + ".", "messages");
    }
    if (messages.size() == 0) {
      return Reply.badRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages");
    }
    StringBuilder transcript = new StringBuilder();
    String lastUser = "";
    long promptTokens = 3;
    long promptChars = 0;
    Map<String, String> pendingCalls = new LinkedHashMap<>(); // tool_call_id -> function name, awaiting results
    Map<String, String> callNames = new LinkedHashMap<>();
    List<ToolResult> toolResults = new ArrayList<>(); // after the last assistant tool_calls
    String lastRole = "";
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String param = "messages[" + i + "]";
      if (!m.isObject()) return Reply.badRequest("Invalid type for '" + param + "': expected an object, but got " + type(m) + ".", param);
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual()) {
        return Reply.badRequest("Missing or invalid '" + param + ".role': expected a string.", param + ".role");
      }
      if (!ROLES.contains(role.asText())) {
        return Reply.badRequest("Invalid value for '" + param + ".role': '" + role.asText() + "' (expected one of " + ROLES + ").", param + ".role");
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
        return Reply.badRequest("Invalid type for '" + param + ".content': expected a string or an array, but got " + type(content) + ".", param + ".content");
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
          return Reply.badRequest("Invalid type for '" + param + ".tool_calls': expected an array, but got " + type(calls) + ".", param + ".tool_calls");
        }
        toolResults.clear();
        callNames.clear();
        for (int k = 0; k < calls.size(); k++) {
          JsonNode c = calls.get(k);
          String cp = param + ".tool_calls[" + k + "]";
          if (!c.path("id").isTextual()) return Reply.badRequest("Missing or invalid '" + cp + ".id': expected a string.", cp + ".id");
          if (!c.path("function").path("name").isTextual()) {
            return Reply.badRequest("Missing or invalid '" + cp + ".function.name': expected a string.", cp + ".function.name");
          }
          if (!c.path("function").path("arguments").isTextual()) {
            return Reply.badRequest("Missing or invalid '" + cp + ".function.arguments': expected a string.", cp + ".function.arguments");
          }
          pendingCalls.put(c.get("id").asText(), c.get("function").get("name").asText());
          callNames.put(c.get("id").asText(), c.get("function").get("name").asText());
          text = text + " " + c.get("function").get("name").asText() + c.get("function").get("arguments").asText();
        }
      }
      transcript.append(r).append(':').append(text).append('\n');
      if (r.equals("user")) lastUser = text;
      promptTokens += 4 + (text.length() + 3) / 4;
      promptChars += text.length();
      lastRole = r;
    }
    if (!pendingCalls.isEmpty()) return unanswered(pendingCalls, messages.size() - 1);
    JsonNode stream = root.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return Reply.badRequest("Invalid type for 'stream': expected a boolean, but got " + type(stream) + ".", "stream");
    }
    Integer maxTokens = null;
    for (String name : List.of("max_tokens", "max_completion_tokens")) {
      JsonNode n = root.get(name);
      if (n == null || n.isNull()) continue;
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1 || n.asInt() > 1_000_000) {
        return Reply.badRequest("Invalid '" + name + "': expected an integer >= 1, got " + n + ".", name);
      }
      maxTokens = n.asInt();
    }
    int choices = 1;
    JsonNode n = root.get("n");
    if (n != null && !n.isNull()) {
      if (!n.isIntegralNumber()) {
        return Reply.badRequest("Invalid type for 'n': expected an integer, but got " + type(n) + " (" + n + ").", "n");
      }
      // OpenAI's words and codes for an integer out of its range
      if (n.bigIntegerValue().signum() < 1) {
        return Reply.error(400, "Invalid 'n': integer below minimum value. Expected a value >= 1, but got " + n
            + " instead.", "invalid_request_error", "n", "integer_below_min_value");
      }
      if (!n.canConvertToInt() || n.asInt() > MAX_CHOICES) {
        return Reply.error(400, "Invalid 'n': integer above maximum value. Expected a value <= " + MAX_CHOICES
            + ", but got " + n + " instead.", "invalid_request_error", "n", "integer_above_max_value");
      }
      choices = n.asInt();
    }
    JsonNode temperature = root.get("temperature");
    if (temperature != null && !temperature.isNull()
        && !(temperature.isNumber() && temperature.asDouble() >= 0 && temperature.asDouble() <= 2)) {
      return Reply.badRequest("Invalid 'temperature': expected a number from 0 to 2, got " + temperature + ".", "temperature");
    }
    JsonNode streamOptions = root.get("stream_options");
    if (streamOptions != null && !streamOptions.isNull()) {
      if (!streamOptions.isObject()) {
        return Reply.badRequest("Invalid type for 'stream_options': expected an object, but got " + type(streamOptions) + ".",
            "stream_options");
      }
      JsonNode usageOption = streamOptions.get("include_usage");
      if (usageOption != null && !usageOption.isNull() && !usageOption.isBoolean()) {
        return Reply.badRequest("Invalid type for 'stream_options.include_usage': expected a boolean, but got "
            + type(usageOption) + ".", "stream_options.include_usage");
      }
    }
    boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);

    // Tools, tool_choice, parallel_tool_calls.
    List<JsonNode> tools = new ArrayList<>();
    JsonNode toolsNode = root.get("tools");
    if (toolsNode != null && !toolsNode.isNull()) {
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
        tools.add(f);
        promptChars += f.toString().length();
        promptTokens += (f.toString().length() + 3) / 4;
      }
    }
    String choiceMode = "auto";
    String named = null;
    JsonNode toolChoice = root.get("tool_choice");
    if (toolChoice != null && !toolChoice.isNull()) {
      if (tools.isEmpty()) {
        return Reply.badRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
            + "specified.", "tool_choice");
      }
      if (toolChoice.isTextual() && Set.of("none", "auto", "required").contains(toolChoice.asText())) {
        choiceMode = toolChoice.asText();
      } else if (toolChoice.isObject() && "function".equals(toolChoice.path("type").asText())
          && toolChoice.path("function").path("name").isTextual()) {
        named = toolChoice.get("function").get("name").asText();
        String wanted = named;
        if (tools.stream().noneMatch(t -> t.path("name").asText().equals(wanted))) {
          return Reply.badRequest("Invalid value for 'tool_choice': function '" + named + "' is not among the tools "
              + "specified.", "tool_choice");
        }
        choiceMode = "function";
      } else {
        return Reply.badRequest("Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or "
            + "{\"type\": \"function\", \"function\": {\"name\": ...}}, got " + toolChoice + ".", "tool_choice");
      }
    }
    JsonNode parallelNode = root.get("parallel_tool_calls");
    if (parallelNode != null && !parallelNode.isNull() && !parallelNode.isBoolean()) {
      return Reply.badRequest("Invalid type for 'parallel_tool_calls': expected a boolean, but got "
          + type(parallelNode) + ".", "parallel_tool_calls");
    }
    boolean parallel = parallelNode == null || parallelNode.isNull() || parallelNode.asBoolean();

    // response_format.
    JsonNode schema = null;
    String format = "text";
    JsonNode responseFormat = root.get("response_format");
    if (responseFormat != null && !responseFormat.isNull()) {
      String t = responseFormat.path("type").asText("");
      if (!responseFormat.isObject() || !Set.of("text", "json_object", "json_schema").contains(t)) {
        return Reply.badRequest("Invalid value for 'response_format.type': expected one of 'text', 'json_object' or "
            + "'json_schema', got " + responseFormat.path("type") + ".", "response_format.type");
      }
      format = t;
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
        schema = js.get("schema");
        if (schema != null && !schema.isNull() && !schema.isObject()) {
          return Reply.badRequest("Invalid type for 'response_format.json_schema.schema': expected an object, but got "
              + type(schema) + ".", "response_format.json_schema.schema");
        }
        if (schema == null || schema.isNull()) schema = Json.object().put("type", "object");
      } else if (t.equals("json_object") && !transcript.toString().toLowerCase(Locale.ROOT).contains("json")) {
        return Reply.badRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of "
            + "type 'json_object'.", "messages");
      }
    }

    if (model == null || model.isNull() || model.asText().isEmpty()) {
      return Reply.error(400, "Missing required parameter: 'model'. You must provide a model parameter.",
          "invalid_request_error", "model", "missing_required_parameter");
    }
    String modelName = model.asText();
    long hash = crc(transcript.toString());
    boolean callTools = !tools.isEmpty() && !choiceMode.equals("none")
        && (!choiceMode.equals("auto") || lastRole.equals("user"));
    List<ToolPlan.Call> planned = callTools
        ? ToolPlan.plan(tools, named, parallel, lastUser) : List.of();

    String id = String.format("chatcmpl-%08x%08x", hash, sequence.incrementAndGet());
    long created = System.currentTimeMillis() / 1000;
    List<Answer> answers = new ArrayList<>();
    long completionTokens = 0;
    for (int c = 0; c < choices; c++) {
      Answer a = new Answer();
      if (callTools) {
        for (int k = 0; k < planned.size(); k++) {
          ToolPlan.Call call = planned.get(k);
          String callId = String.format("call_%08x%08x%08x", hash, c * 1_000 + k, crc(call.name() + c + ":" + k));
          a.calls.add(new ToolCall(callId, call.name(), call.arguments().toString()));
          completionTokens += 3 + (call.name().length() + call.arguments().toString().length() + 3) / 4;
        }
        a.finishReason = "tool_calls";
      } else {
        List<String> tokens;
        String subject = ToolPlan.parts(lastUser.isBlank() ? "example" : lastUser).get(0).subject();
        String text = toolResults.isEmpty() ? null : finalAnswer(toolResults);
        if (format.equals("json_schema")) {
          tokens = pieces(Json.bytesToString(Schemas.value(schema, text != null ? text : subject, true)));
        } else if (format.equals("json_object")) {
          ObjectNode o = Json.object();
          o.put("answer", text != null ? text : String.join("", completionTokens(lastUser, hash + c)));
          tokens = pieces(o.toString());
        } else if (text != null) {
          tokens = words(text);
        } else {
          tokens = completionTokens(lastUser, c == 0 ? hash : crc(transcript + "#" + c));
        }
        a.finishReason = "stop";
        if (maxTokens != null && tokens.size() > maxTokens) {
          tokens = tokens.subList(0, maxTokens);
          a.finishReason = "length";
        }
        a.tokens = tokens;
        completionTokens += tokens.size();
      }
      answers.add(a);
    }
    long cost = promptTokens + (maxTokens != null ? (long) maxTokens * choices : completionTokens);
    ObjectNode usage = Json.object();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);
    long promptEstimate = (promptChars + 3) / 4;
    long used = promptTokens + completionTokens;

    if (stream != null && stream.asBoolean()) {
      List<byte[]> events = new ArrayList<>();
      for (int c = 0; c < choices; c++) {
        Answer a = answers.get(c);
        if (a.calls.isEmpty()) {
          events.add(Json.bytes(chunk(id, created, modelName, c, delta("assistant", ""), null, includeUsage)));
          for (String token : a.tokens) {
            events.add(Json.bytes(chunk(id, created, modelName, c, delta(null, token), null, includeUsage)));
          }
        } else {
          for (int k = 0; k < a.calls.size(); k++) {
            ToolCall call = a.calls.get(k);
            ObjectNode d = k == 0 ? delta("assistant", null) : Json.object();
            ObjectNode tc = d.putArray("tool_calls").addObject();
            tc.put("index", k);
            tc.put("id", call.id());
            tc.put("type", "function");
            tc.putObject("function").put("name", call.name()).put("arguments", "");
            events.add(Json.bytes(chunk(id, created, modelName, c, d, null, includeUsage)));
            for (String fragment : pieces(call.arguments())) {
              ObjectNode fd = Json.object();
              ObjectNode f = fd.putArray("tool_calls").addObject();
              f.put("index", k);
              f.putObject("function").put("arguments", fragment);
              events.add(Json.bytes(chunk(id, created, modelName, c, fd, null, includeUsage)));
            }
          }
        }
        events.add(Json.bytes(chunk(id, created, modelName, c, Json.object(), a.finishReason, includeUsage)));
      }
      if (includeUsage) {
        ObjectNode last = header(id, created, modelName, "chat.completion.chunk");
        last.putArray("choices");
        last.set("usage", usage);
        events.add(Json.bytes(last));
      }
      return Reply.events(events, cost).metering(modelName, promptEstimate, maxTokens != null ? maxTokens : -1, choices, used);
    }

    ObjectNode completion = header(id, created, modelName, "chat.completion");
    ArrayNode choiceArray = completion.putArray("choices");
    for (int c = 0; c < choices; c++) {
      Answer a = answers.get(c);
      ObjectNode choice = choiceArray.addObject();
      choice.put("index", c);
      ObjectNode message = choice.putObject("message");
      message.put("role", "assistant");
      if (a.calls.isEmpty()) {
        message.put("content", String.join("", a.tokens));
      } else {
        message.putNull("content");
        ArrayNode calls = message.putArray("tool_calls");
        for (ToolCall call : a.calls) {
          ObjectNode tc = calls.addObject();
          tc.put("id", call.id());
          tc.put("type", "function");
          tc.putObject("function").put("name", call.name()).put("arguments", call.arguments());
        }
      }
      message.putNull("refusal");
      message.putArray("annotations");
      choice.putNull("logprobs");
      choice.put("finish_reason", a.finishReason);
    }
    completion.set("usage", usage);
    return Reply.json(200, completion, cost).metering(modelName, promptEstimate, maxTokens != null ? maxTokens : -1,
        choices, used);
  }

  /** A tool call in a reply: its id, the function's name, and its arguments as JSON text. */
  private record ToolCall(String id, String name, String arguments) {}

  /** A tool result in the request: the name of the function that was called, and what it returned. */
  record ToolResult(String name, String content) {}

  /** One choice's answer: text tokens, or tool calls. */
  private static final class Answer {
    List<String> tokens = List.of();
    final List<ToolCall> calls = new ArrayList<>();
    String finishReason;
  }

  private static Reply unanswered(Map<String, String> pending, int index) {
    return Reply.badRequest("An assistant message with 'tool_calls' must be followed by tool messages responding to "
        + "each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        + String.join(", ", pending.keySet()), "messages.[" + index + "].role");
  }

  /** The final answer after tool results: each result, named by its tool, in order. */
  static String finalAnswer(List<ToolResult> results) {
    StringBuilder b = new StringBuilder("Based on the tool results: ");
    for (int i = 0; i < results.size(); i++) {
      String content = results.get(i).content();
      if (content.length() > MAX_RESULT_CHARS) content = content.substring(0, MAX_RESULT_CHARS) + " …";
      if (i > 0) b.append("; ");
      b.append(results.get(i).name()).append(" returned ").append(content);
    }
    return b.append('.').toString();
  }

  /** Text as streamed tokens: each word with its leading space. */
  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\s*\\S+").matcher(text);
    while (m.find()) out.add(m.group());
    return out;
  }

  /** A JSON text as streamed tokens: pieces of four characters (about one token each). */
  static List<String> pieces(String text) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < text.length(); i += 4) out.add(text.substring(i, Math.min(text.length(), i + 4)));
    if (out.isEmpty()) out.add("");
    return out;
  }

  /**
   * The completion for a conversation: a sentence echoing the start of the last user message, with
   * a reference derived from the whole transcript. Each element is one streamed token.
   */
  static List<String> completionTokens(String lastUser, long hash) {
    List<String> words = new ArrayList<>();
    words.addAll(Arrays.asList("This", " is", " a", " simulated", " reply"));
    String[] echo = lastUser.trim().isEmpty() ? new String[0] : lastUser.trim().split("\\s+");
    if (echo.length > 0) {
      words.add(" to:");
      for (int i = 0; i < Math.min(echo.length, ECHO_WORDS); i++) words.add(" " + echo[i]);
      if (echo.length > ECHO_WORDS) words.add(" …");
    } else {
      words.add(".");
    }
    words.add(String.format(" (ref %08x)", hash));
    return words;
  }

  private static ObjectNode header(String id, long created, String model, String object) {
    ObjectNode o = Json.object();
    o.put("id", id);
    o.put("object", object);
    o.put("created", created);
    o.put("model", model);
    o.put("service_tier", "default");
    o.putNull("system_fingerprint");
    return o;
  }

  private static ObjectNode chunk(String id, long created, String model, int index, ObjectNode delta,
      String finishReason, boolean includeUsage) {
    ObjectNode c = header(id, created, model, "chat.completion.chunk");
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", index);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    if (finishReason == null) choice.putNull("finish_reason");
    else choice.put("finish_reason", finishReason);
    if (includeUsage) c.putNull("usage");
    return c;
  }

  private static ObjectNode delta(String role, String content) {
    ObjectNode d = Json.object();
    if (role != null) d.put("role", role);
    if (content == null) d.putNull("content");
    else d.put("content", content);
    if (role != null) d.putNull("refusal");
    return d;
  }

  private static String type(JsonNode node) {
    switch (node.getNodeType()) {
      case ARRAY: return "an array";
      case OBJECT: return "an object";
      case STRING: return "a string";
      case NUMBER: return "a number";
      case BOOLEAN: return "a boolean";
      case NULL: return "null";
      default: return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static long crc(String s) {
    CRC32 crc = new CRC32();
    crc.update(s.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }

}
