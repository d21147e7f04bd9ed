package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks a Messages API request passes before the mock answers it, as strict as Anthropic's: an API key
 * ({@code x-api-key}, or {@code Authorization: Bearer}; 401 {@code authentication_error} without either) and an
 * {@code anthropic-version} header; {@code model}, {@code max_tokens} (0 or more, and 0 only without
 * {@code stream}, enabled {@code thinking} or a forced {@code tool_choice}) and {@code messages} required;
 * roles {@code user} and {@code assistant}; content blocks of the types a conversation sends back; every
 * {@code tool_use} of an assistant turn answered by a {@code tool_result} in the next user turn, and every
 * {@code tool_result} answering one. The first failing check answers, as a 400 {@code invalid_request_error}
 * in Anthropic's error shape. Token counting refuses the fields that only shape an answer.
 */
final class MessageRequestChecks {
  /** The server tools' result blocks, sent back in the assistant turn that holds their {@code server_tool_use}. */
  static final Set<String> SERVER_TOOL_RESULTS = Set.of("web_search_tool_result", "web_fetch_tool_result",
      "code_execution_tool_result", "bash_code_execution_tool_result", "text_editor_code_execution_tool_result",
      "tool_search_tool_result");
  private static final Set<String> OTHER_BLOCK_TYPES = Set.of("text", "image", "document", "tool_use",
      "tool_result", "thinking", "redacted_thinking", "server_tool_use", "search_result", "container_upload",
      "mid_conv_system");
  /** Top-level fields {@code /v1/messages} takes and token counting refuses: they shape an answer, not its input. */
  private static final List<String> ANSWER_ONLY = List.of("max_tokens", "stream", "temperature", "top_p", "top_k",
      "stop_sequences", "metadata", "service_tier");

  private MessageRequestChecks() {}

  /** What checking a request gives: the request as read, or the error reply that refuses it. */
  sealed interface Outcome permits Accepted, Refused {}

  /** A request refused with {@code reply}. */
  record Refused(Reply reply) implements Outcome {}

  /**
   * A request that passed every check, as the answer needs it.
   *
   * @param body the request's JSON object
   * @param maxTokens its {@code max_tokens}, or -1 when counting tokens
   * @param chars prompt characters not marked {@code cache_control}
   * @param cachedChars prompt characters marked {@code cache_control}
   * @param tools the tools as {@link ToolPlan} takes them ({@code name} and {@code parameters})
   * @param choiceType the {@code tool_choice} type ({@code auto} when none is given)
   * @param named the tool a {@code tool_choice} of type {@code tool} names, or null
   * @param parallel false when {@code disable_parallel_tool_use} is set
   * @param results the tool results of the last user turn, each by its tool's name
   * @param lastUser the text of the last user turn that had text
   * @param lastRole the role of the last message
   * @param transcript every turn's role and text, one line each
   */
  record Accepted(JsonNode body, String model, long maxTokens, long chars, long cachedChars, List<JsonNode> tools,
      String choiceType, String named, boolean parallel, List<ChatDispatcher.ToolResult> results, String lastUser,
      String lastRole, String transcript) implements Outcome {

    /** Input tokens not read from the prompt cache: characters / 4, rounded up. */
    long inputTokens() {
      return (chars + 3) / 4;
    }

    /** Input tokens read from the prompt cache: marked characters / 4, rounded up. */
    long cacheReadTokens() {
      return (cachedChars + 3) / 4;
    }

    /** The whole prompt's tokens, cached or not, as a meter estimates them before answering. */
    long promptTokens() {
      return (chars + cachedChars + 3) / 4;
    }
  }

  /**
   * Checks {@code request} for {@code POST /v1/messages}, or for token counting when {@code counting}.
   * Checks run in a fixed order and the first that fails gives the reply.
   */
  static Outcome check(ReceivedRequest request, boolean counting) {
    String key = request.header("x-api-key");
    String authorization = request.header("authorization");
    boolean bearer = authorization != null && authorization.startsWith("Bearer ") && authorization.length() > 7;
    if ((key == null || key.isBlank()) && !bearer) {
      return new Refused(Reply.anthropicError(401, "authentication_error", "x-api-key header is required"));
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
                return bad(bat + ".source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif'"
                    + " or 'image/webp'");
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

    return new Accepted(root, model.asText(), maxTokens, chars, cachedChars, tools, choiceType, named, parallel,
        results, lastUser, lastRole, transcript.toString());
  }

  private static Refused bad(String message) {
    return new Refused(Reply.anthropicError(400, "invalid_request_error", message));
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
}
