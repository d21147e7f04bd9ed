package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * {@code POST /v1/messages}, Anthropic's Messages API, and as strict: an API key ({@code x-api-key}, or
 * {@code Authorization: Bearer} as the official TypeScript SDK sends it; 401 {@code authentication_error}
 * without either) and {@code anthropic-version} headers; {@code model},
 * {@code max_tokens} (0 or more; 0, which pre-warms the prompt cache, answers {@code content: []} with
 * {@code stop_reason: max_tokens} and is refused with {@code stream}, enabled {@code thinking} or a forced
 * {@code tool_choice}) and {@code messages} required; roles {@code user} and {@code assistant}; content
 * blocks of the types a conversation sends back ({@code text}, {@code image}, {@code document},
 * {@code tool_use}, {@code tool_result}, {@code thinking}, {@code redacted_thinking}, the server tools'
 * {@code server_tool_use} and their results ({@code web_search_tool_result}, {@code web_fetch_tool_result},
 * {@code code_execution_tool_result} and the others of {@link #SERVER_TOOL_RESULTS}) in assistant turns,
 * {@code search_result}, {@code container_upload}, {@code mid_conv_system});
 * every {@code tool_use} of an assistant turn answered by a {@code tool_result} in the next user turn, and
 * every {@code tool_result} answering one; bad input is a 400 {@code invalid_request_error} in Anthropic's
 * error shape. The answer is deterministic:
 *
 * <ul>
 *   <li>with {@code tools} and the last user turn text (or {@code tool_choice} {@code any} or a named
 *       tool), {@code tool_use} blocks chosen by {@link ToolPlan} from the tools' {@code input_schema}, each
 *       with {@code caller: {"type": "direct"}} ({@code stop_reason: tool_use}); one only with
 *       {@code disable_parallel_tool_use};
 *       {@code tool_choice: none} answers text;
 *   <li>after tool results, a text quoting each result by its tool's name;
 *   <li>otherwise a sentence echoing the last user turn, cut at {@code max_tokens} ({@code stop_reason:
 *       max_tokens}) or at a {@code stop_sequences} entry ({@code stop_sequence});
 *   <li>{@code usage}: input tokens as prompt characters / 4, where blocks marked {@code cache_control}
 *       count as {@code cache_read_input_tokens}; output tokens one per word (text) or per four characters
 *       (tool input);
 *   <li>{@code "stream": true}: named server-sent events in Anthropic's order ({@code message_start}, per
 *       block {@code content_block_start}, {@code ping} after the first, {@code content_block_delta}s of
 *       {@code text_delta} or {@code input_json_delta}, {@code content_block_stop}; {@code message_delta},
 *       {@code message_stop}).
 * </ul>
 *
 * <p>{@code POST /v1/messages/count_tokens} takes the same request without {@code max_tokens} (and without
 * the fields that only shape an answer: {@code stream}, sampling settings, {@code stop_sequences},
 * {@code metadata}, {@code service_tier}; each refused as Anthropic does, {@code "Extra inputs are not
 * permitted"}), checks it by the same rules and answers {@code {"input_tokens": N}}: every input token the
 * same request reports on {@code /v1/messages}, its {@code input_tokens} plus {@code cache_read_input_tokens}
 * (so {@code usage.input_tokens} itself when no block is marked {@code cache_control}).
 */
public final class MessagesDispatcher extends BackendDispatcher {
  /** The server tools' result blocks, sent back in the assistant turn that holds their {@code server_tool_use}. */
  static final Set<String> SERVER_TOOL_RESULTS = Set.of("web_search_tool_result", "web_fetch_tool_result",
      "code_execution_tool_result", "bash_code_execution_tool_result", "text_editor_code_execution_tool_result",
      "tool_search_tool_result");
  private static final Set<String> OTHER_BLOCK_TYPES = Set.of("text", "image", "document", "tool_use",
      "tool_result", "thinking", "redacted_thinking", "server_tool_use", "search_result", "container_upload",
      "mid_conv_system");
  /** Anthropic's token counting, answered by this backend. */
  static final String COUNT_TOKENS_PATH = "/v1/messages/count_tokens";
  /** Top-level fields {@code /v1/messages} takes and token counting refuses: they shape an answer, not its input. */
  private static final List<String> ANSWER_ONLY = List.of("max_tokens", "stream", "temperature", "top_p", "top_k",
      "stop_sequences", "metadata", "service_tier");
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong counts = new AtomicLong();

  @Override
  public Reply handle(ReceivedRequest request) {
    String path = request.path();
    boolean counting = path.equals(COUNT_TOKENS_PATH);
    if (!path.equals("/v1/messages") && !counting) {
      return Reply.anthropicError(404, "not_found_error", "Not found: " + request.method() + " " + path);
    }
    if (!"POST".equals(request.method())) {
      return Reply.anthropicError(405, "invalid_request_error", "Method " + request.method() + " not allowed")
          .header("Allow", "POST");
    }
    // The API key comes as x-api-key, or (as the official TypeScript SDK sends it since 1.x) a bearer token.
    String key = request.header("x-api-key");
    String authorization = request.header("authorization");
    boolean bearer = authorization != null && authorization.startsWith("Bearer ") && authorization.length() > 7;
    if ((key == null || key.isBlank()) && !bearer) {
      return Reply.anthropicError(401, "authentication_error", "x-api-key header is required");
    }
    if (request.header("anthropic-version") == null) {
      return bad("anthropic-version: header is required");
    }
    JsonNode root = Json.parseOrNull(request.body());
    if (root == null || !root.isObject()) return bad("Request body is not a JSON object");
    JsonNode model = root.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) return bad("model: Field required");
    long maxTokens = -1; // none when counting
    if (counting) {
      for (String field : ANSWER_ONLY) {
        if (root.has(field)) return bad(field + ": Extra inputs are not permitted");
      }
    } else {
      JsonNode maxTokensNode = root.get("max_tokens");
      if (maxTokensNode == null || maxTokensNode.isNull()) return bad("max_tokens: Field required");
      if (!maxTokensNode.canConvertToLong() || !maxTokensNode.isIntegralNumber() || maxTokensNode.asLong() < 0) {
        return bad("max_tokens: Input should be an integer greater than or equal to 0");
      }
      maxTokens = maxTokensNode.asLong();
    }
    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) return bad("messages: Field required");
    if (!messages.isArray() || messages.size() == 0) return bad("messages: at least one message is required");
    JsonNode temperature = root.get("temperature");
    if (temperature != null && !temperature.isNull()
        && (!temperature.isNumber() || temperature.asDouble() < 0 || temperature.asDouble() > 1)) {
      return bad("temperature: Input should be less than or equal to 1");
    }

    long chars = 0;
    long cachedChars = 0;
    JsonNode system = root.get("system");
    if (system != null && !system.isNull()) {
      if (system.isTextual()) {
        chars += system.asText().length();
      } else if (system.isArray()) {
        for (JsonNode b : system) {
          long n = b.path("text").asText("").length();
          if (b.has("cache_control")) cachedChars += n; else chars += n;
        }
      } else {
        return bad("system: Input should be a valid string or list of text blocks");
      }
    }

    List<JsonNode> tools = new ArrayList<>();
    JsonNode toolsNode = root.get("tools");
    if (toolsNode != null && !toolsNode.isNull()) {
      if (!toolsNode.isArray()) return bad("tools: Input should be a valid list");
      for (int i = 0; i < toolsNode.size(); i++) {
        JsonNode t = toolsNode.get(i);
        if (!t.path("name").isTextual() || !t.path("name").asText().matches("[a-zA-Z0-9_-]{1,128}")) {
          return bad("tools." + i + ".name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
        }
        JsonNode schema = t.get("input_schema");
        if (schema == null || !schema.isObject()) return bad("tools." + i + ".input_schema: Field required");
        if (!"object".equals(schema.path("type").asText())) {
          return bad("tools." + i + ".input_schema.type: Input should be 'object'");
        }
        ObjectNode function = Json.object();
        function.put("name", t.get("name").asText());
        function.set("parameters", schema);
        tools.add(function);
        chars += t.toString().length();
      }
    }
    String choiceType = "auto";
    String named = null;
    boolean parallel = true;
    JsonNode choice = root.get("tool_choice");
    if (choice != null && !choice.isNull()) {
      choiceType = choice.path("type").asText("");
      if (!Set.of("auto", "any", "tool", "none").contains(choiceType)) {
        return bad("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
      }
      if (choiceType.equals("tool")) {
        named = choice.path("name").asText(null);
        String n = named;
        if (n == null || tools.stream().noneMatch(t -> t.path("name").asText().equals(n))) {
          return bad("tool_choice.name: no tool named '" + n + "' in tools");
        }
      }
      parallel = !choice.path("disable_parallel_tool_use").asBoolean(false);
      if (tools.isEmpty() && !choiceType.equals("none") && !choiceType.equals("auto")) {
        return bad("tool_choice: tools must be provided when tool_choice is '" + choiceType + "'");
      }
    }

    if (maxTokens == 0) {
      // A prefill only (to write the prompt cache): nothing can be generated, so nothing may ask for output.
      if (root.path("stream").asBoolean(false)) return bad("max_tokens: 0 is not supported with streaming");
      String thinking = root.path("thinking").path("type").asText("disabled");
      if (!thinking.equals("disabled")) return bad("max_tokens: 0 is not supported with thinking enabled");
      if (choiceType.equals("any") || choiceType.equals("tool")) {
        return bad("max_tokens: 0 is not supported with tool_choice '" + choiceType + "'");
      }
    }

    Map<String, String> pending = new LinkedHashMap<>(); // tool_use id -> name, from the last assistant turn
    Map<String, String> names = new LinkedHashMap<>();
    List<ChatDispatcher.ToolResult> results = new ArrayList<>();
    String lastUser = "";
    String lastRole = "";
    StringBuilder transcript = new StringBuilder();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      String at = "messages." + i;
      String role = m.path("role").asText("");
      if (!role.equals("user") && !role.equals("assistant")) {
        return bad(at + ".role: Input should be 'user' or 'assistant'");
      }
      JsonNode content = m.get("content");
      if (content == null || content.isNull()) return bad(at + ".content: Field required");
      List<JsonNode> blocks = new ArrayList<>();
      if (content.isTextual()) {
        blocks.add(Json.object().put("type", "text").put("text", content.asText()));
      } else if (content.isArray()) {
        content.forEach(blocks::add);
      } else {
        return bad(at + ".content: Input should be a valid string or list of content blocks");
      }
      if (role.equals("user") && !pending.isEmpty()) {
        Map<String, String> unanswered = new LinkedHashMap<>(pending);
        for (JsonNode b : blocks) {
          if (b.path("type").asText().equals("tool_result")) unanswered.remove(b.path("tool_use_id").asText());
        }
        if (!unanswered.isEmpty()) {
          return bad(at + ": `tool_use` ids were found without `tool_result` blocks immediately after: "
              + String.join(", ", unanswered.keySet()) + ". Each `tool_use` block must have a corresponding "
              + "`tool_result` block in the next message.");
        }
      } else if (role.equals("assistant") && !pending.isEmpty()) {
        return bad(at + ": `tool_use` ids were found without `tool_result` blocks immediately after: "
            + String.join(", ", pending.keySet()));
      }
      Map<String, String> answerable = pending;
      pending = new LinkedHashMap<>();
      if (role.equals("user")) results.clear();
      StringBuilder text = new StringBuilder();
      for (int j = 0; j < blocks.size(); j++) {
        JsonNode b = blocks.get(j);
        String bat = at + ".content." + j;
        String type = b.path("type").asText("");
        if (!OTHER_BLOCK_TYPES.contains(type) && !SERVER_TOOL_RESULTS.contains(type)) {
          return bad(bat + ".type: unknown content block type '" + type + "'");
        }
        long n = 0;
        switch (SERVER_TOOL_RESULTS.contains(type) ? "server tool result" : type) {
          case "text" -> {
            if (!b.path("text").isTextual()) return bad(bat + ".text: Field required");
            text.append(b.get("text").asText()).append(' ');
            n = b.get("text").asText().length();
          }
          case "image" -> {
            JsonNode source = b.path("source");
            String st = source.path("type").asText("");
            if (st.equals("base64")) {
              if (!source.path("media_type").asText("").matches("image/(jpeg|png|gif|webp)")) {
                return bad(bat + ".source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'");
              }
              if (!source.path("data").isTextual()) return bad(bat + ".source.data: Field required");
            } else if (st.equals("url")) {
              if (!source.path("url").isTextual()) return bad(bat + ".source.url: Field required");
            } else {
              return bad(bat + ".source.type: Input should be 'base64' or 'url'");
            }
            n = 6000; // about 1,500 tokens: a typical image
          }
          case "tool_use" -> {
            if (!role.equals("assistant")) return bad(bat + ": tool_use blocks are only allowed in assistant messages");
            if (!b.path("id").isTextual() || !b.path("name").isTextual() || !b.path("input").isObject()) {
              return bad(bat + ": tool_use needs id, name and an object input");
            }
            pending.put(b.get("id").asText(), b.get("name").asText());
            names.put(b.get("id").asText(), b.get("name").asText());
            n = b.get("input").toString().length();
          }
          case "tool_result" -> {
            if (!role.equals("user")) return bad(bat + ": tool_result blocks are only allowed in user messages");
            String id = b.path("tool_use_id").asText(null);
            if (id == null || !answerable.containsKey(id)) {
              return bad(bat + ": unexpected `tool_use_id` found in `tool_result` blocks: " + id
                  + ". Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
            }
            JsonNode c = b.get("content");
            String out = c == null || c.isNull() ? "" : c.isTextual() ? c.asText() : texts(c);
            results.add(new ChatDispatcher.ToolResult(names.get(id), out));
            n = out.length();
          }
          case "server_tool_use" -> {
            if (!role.equals("assistant")) {
              return bad(bat + ": server_tool_use blocks are only allowed in assistant messages");
            }
            if (!b.path("id").isTextual() || !b.path("name").isTextual() || !b.path("input").isObject()) {
              return bad(bat + ": server_tool_use needs id, name and an object input");
            }
            n = b.get("input").toString().length();
          }
          case "server tool result" -> {
            if (!role.equals("assistant")) {
              return bad(bat + ": " + type + " blocks are only allowed in assistant messages");
            }
            JsonNode c = b.get("content");
            if (!b.path("tool_use_id").isTextual() || c == null || !(c.isArray() || c.isObject())) {
              return bad(bat + ": " + type + " needs a tool_use_id and content (results or an error)");
            }
            n = c.toString().length();
          }
          case "container_upload" -> {
            if (!b.path("file_id").isTextual()) return bad(bat + ".file_id: Field required");
            n = 0;
          }
          case "mid_conv_system" -> {
            JsonNode c = b.get("content");
            if (c == null || !c.isArray()) return bad(bat + ".content: Input should be a valid list");
            n = texts(c).length();
          }
          case "search_result" -> {
            if (!role.equals("user")) return bad(bat + ": search_result blocks are only allowed in user messages");
            String problem = searchResultProblem(b);
            if (problem != null) return bad(bat + problem);
            n = texts(b.get("content")).length();
          }
          default -> n = b.toString().length();
        }
        if (b.has("cache_control")) cachedChars += n; else chars += n;
      }
      if (role.equals("user") && text.length() > 0) lastUser = text.toString().trim();
      transcript.append(role).append(':').append(text).append('\n');
      lastRole = role;
    }
    if (!pending.isEmpty()) {
      return bad("messages: `tool_use` ids were found without `tool_result` blocks immediately after: "
          + String.join(", ", pending.keySet()));
    }

    String modelName = model.asText();
    long inputTokens = (chars + 3) / 4;
    long cacheRead = (cachedChars + 3) / 4;
    if (counting) {
      Reply count = Reply.json(200, Json.object().put("input_tokens", inputTokens + cacheRead));
      count.anthropic = true; // a fault or rate limit on this route answers in Anthropic's shape
      return count.header("request-id", "req_mockcount" + String.format("%016x", counts.incrementAndGet()));
    }
    String id = "msg_mock" + String.format("%016x", sequence.incrementAndGet());
    boolean afterTools = lastRole.equals("user") && !results.isEmpty();
    boolean useTools = !tools.isEmpty() && !choiceType.equals("none") && lastRole.equals("user")
        && (!afterTools || choiceType.equals("any") || choiceType.equals("tool"));
    List<ObjectNode> blocks = new ArrayList<>();
    List<List<String>> pieces = new ArrayList<>();
    String stopReason;
    String stopSequence = null;
    long outputTokens = 0;
    if (maxTokens == 0) {
      stopReason = "max_tokens"; // the prefill ran (and wrote the cache); no block, no output token
    } else if (useTools) {
      List<ToolPlan.Call> planned = ToolPlan.plan(tools, named, parallel, lastUser.isBlank() ? "example" : lastUser);
      for (int k = 0; k < planned.size(); k++) {
        ToolPlan.Call c = planned.get(k);
        ObjectNode use = Json.object();
        use.put("type", "tool_use");
        use.put("id", "toolu_" + id.substring(4) + "_" + k);
        use.put("name", c.name());
        use.set("input", c.arguments());
        use.putObject("caller").put("type", "direct"); // the model called it (not code execution)
        blocks.add(use);
        List<String> json = ChatDispatcher.pieces(Json.bytesToString(c.arguments()));
        pieces.add(json);
        outputTokens += json.size();
      }
      stopReason = "tool_use";
    } else {
      List<String> words = afterTools
          ? words(ChatDispatcher.finalAnswer(results))
          : ChatDispatcher.completionTokens(lastUser, crc(transcript.toString()));
      stopReason = "end_turn";
      if (words.size() > maxTokens) {
        words = new ArrayList<>(words.subList(0, (int) maxTokens));
        stopReason = "max_tokens";
      }
      JsonNode stops = root.get("stop_sequences");
      if (stops != null && stops.isArray() && stops.size() > 0) {
        StringBuilder sofar = new StringBuilder();
        for (int w = 0; w < words.size() && stopSequence == null; w++) {
          sofar.append(words.get(w));
          for (JsonNode s : stops) {
            int cut = sofar.indexOf(s.asText());
            if (!s.asText().isEmpty() && cut >= 0) {
              stopSequence = s.asText();
              String kept = sofar.substring(0, cut);
              words = kept.isEmpty() ? List.of() : List.of(kept);
              stopReason = "stop_sequence";
              break;
            }
          }
        }
      }
      ObjectNode text = Json.object();
      text.put("type", "text");
      text.put("text", String.join("", words));
      blocks.add(text);
      pieces.add(words);
      outputTokens = Math.max(1, words.size());
    }
    ObjectNode usage = Json.object();
    usage.put("input_tokens", inputTokens);
    usage.put("cache_creation_input_tokens", 0);
    usage.put("cache_read_input_tokens", cacheRead);
    usage.put("output_tokens", outputTokens);

    Reply reply;
    if (root.path("stream").asBoolean(false)) {
      reply = stream(id, modelName, blocks, pieces, stopReason, stopSequence, usage);
    } else {
      ObjectNode message = header(id, modelName);
      ArrayNode content = message.putArray("content");
      blocks.forEach(content::add);
      message.put("stop_reason", stopReason);
      if (stopSequence == null) message.putNull("stop_sequence"); else message.put("stop_sequence", stopSequence);
      message.set("usage", usage);
      reply = Reply.json(200, message);
    }
    return reply.header("request-id", "req_mock" + id.substring(8))
        .anthropicMetering(modelName, (chars + cachedChars + 3) / 4, maxTokens, inputTokens, outputTokens);
  }

  private static Reply stream(String id, String model, List<ObjectNode> blocks, List<List<String>> pieces,
      String stopReason, String stopSequence, ObjectNode usage) {
    List<String> types = new ArrayList<>();
    List<byte[]> events = new ArrayList<>();
    ObjectNode start = header(id, model);
    start.putArray("content");
    start.putNull("stop_reason");
    start.putNull("stop_sequence");
    ObjectNode startUsage = usage.deepCopy();
    startUsage.put("output_tokens", 1);
    start.set("usage", startUsage);
    add(types, events, "message_start", Json.object().put("type", "message_start").set("message", start));
    for (int i = 0; i < blocks.size(); i++) {
      ObjectNode block = blocks.get(i);
      boolean tool = block.path("type").asText().equals("tool_use");
      ObjectNode empty = block.deepCopy();
      if (tool) empty.putObject("input"); else empty.put("text", "");
      ObjectNode blockStart = Json.object().put("type", "content_block_start").put("index", i);
      blockStart.set("content_block", empty);
      add(types, events, "content_block_start", blockStart);
      if (i == 0) add(types, events, "ping", Json.object().put("type", "ping"));
      for (String piece : pieces.get(i)) {
        ObjectNode delta = tool
            ? Json.object().put("type", "input_json_delta").put("partial_json", piece)
            : Json.object().put("type", "text_delta").put("text", piece);
        ObjectNode event = Json.object().put("type", "content_block_delta").put("index", i);
        event.set("delta", delta);
        add(types, events, "content_block_delta", event);
      }
      add(types, events, "content_block_stop", Json.object().put("type", "content_block_stop").put("index", i));
    }
    ObjectNode delta = Json.object().put("stop_reason", stopReason);
    if (stopSequence == null) delta.putNull("stop_sequence"); else delta.put("stop_sequence", stopSequence);
    ObjectNode messageDelta = Json.object().put("type", "message_delta");
    messageDelta.set("delta", delta);
    messageDelta.set("usage", Json.object().put("output_tokens", usage.get("output_tokens").asLong()));
    add(types, events, "message_delta", messageDelta);
    add(types, events, "message_stop", Json.object().put("type", "message_stop"));
    return Reply.namedEvents(types, events, 0);
  }

  private static void add(List<String> types, List<byte[]> events, String type, ObjectNode data) {
    types.add(type);
    events.add(Json.bytes(data));
  }

  private static ObjectNode header(String id, String model) {
    ObjectNode m = Json.object();
    m.put("id", id);
    m.put("type", "message");
    m.put("role", "assistant");
    m.put("model", model);
    return m;
  }

  private static Reply bad(String message) {
    return Reply.anthropicError(400, "invalid_request_error", message);
  }

  private static String texts(JsonNode blocks) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode b : blocks) {
      if (b.path("text").isTextual()) sb.append(b.get("text").asText());
      else if (b.path("type").asText("").equals("search_result")) sb.append(texts(b.path("content")));
    }
    return sb.toString();
  }

  /** What is wrong with a {@code search_result} block (a suffix for its path), or null. */
  private static String searchResultProblem(JsonNode b) {
    if (!b.path("source").isTextual()) return ".source: Field required";
    if (!b.path("title").isTextual()) return ".title: Field required";
    JsonNode content = b.get("content");
    if (content == null || !content.isArray()) return ".content: Input should be a valid list of text blocks";
    for (int k = 0; k < content.size(); k++) {
      JsonNode t = content.get(k);
      if (!t.path("type").asText("").equals("text") || !t.path("text").isTextual()) {
        return ".content." + k + ": Input should be a text block";
      }
    }
    return null;
  }

  /** Text as streamed tokens: each word with its leading space. */
  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*\\S+").matcher(text);
    while (m.find()) out.add(m.group());
    return out;
  }

  private static long crc(String s) {
    CRC32 c = new CRC32();
    c.update(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return c.getValue();
  }
}
