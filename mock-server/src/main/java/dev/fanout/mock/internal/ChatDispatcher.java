package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible. The reply's content is derived
 * deterministically from the messages; {@code "stream": true} answers server-sent events ({@code
 * chat.completion.chunk} objects, then {@code data: [DONE]}). Malformed JSON, a missing or empty
 * {@code messages}, or fields of the wrong type are a 400 in OpenAI's error shape.
 */
public final class ChatDispatcher extends BackendDispatcher {
  /** The model reported when the request names none. */
  public static final String DEFAULT_MODEL = "fanout-mock-1";
  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
  private static final int ECHO_WORDS = 12;

  private final AtomicLong sequence = new AtomicLong();

  @Override
  public Reply handle(ReceivedRequest request) {
    String path = request.path();
    if (!path.equals("/v1/chat/completions")) return Reply.notFound("no route for " + request.method() + " " + path);
    if (!"POST".equals(request.method())) return Reply.methodNotAllowed(request.method(), path, "POST");
    byte[] body = request.body();
    JsonNode root = Json.parseOrNull(body);
    if (root == null || body.length == 0) {
      return Reply.badRequest("We could not parse the JSON body of your request. (HINT: This likely means you "
          + "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)", null);
    }
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
      transcript.append(role.asText()).append(':').append(text).append('\n');
      if (role.asText().equals("user")) lastUser = text;
      promptTokens += 4 + (text.length() + 3) / 4;
    }
    JsonNode stream = root.get("stream");
    if (stream != null && !stream.isNull() && !stream.isBoolean()) {
      return Reply.badRequest("Invalid type for 'stream': expected a boolean, but got " + type(stream) + ".", "stream");
    }
    Integer maxTokens = null;
    for (String name : List.of("max_tokens", "max_completion_tokens")) {
      JsonNode n = root.get(name);
      if (n == null || n.isNull()) continue;
      if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > 1_000_000) {
        return Reply.badRequest("Invalid '" + name + "': expected an integer >= 1, got " + n + ".", name);
      }
      maxTokens = (int) n.asLong();
    }
    JsonNode n = root.get("n");
    if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asInt() == 1)) {
      return Reply.badRequest("Invalid 'n': this mock supports only n = 1, got " + n + ".", "n");
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

    String modelName = model == null || model.isNull() ? DEFAULT_MODEL : model.asText();
    long hash = crc(transcript.toString());
    List<String> tokens = completionTokens(lastUser, hash);
    String finishReason = "stop";
    if (maxTokens != null && tokens.size() > maxTokens) {
      tokens = tokens.subList(0, maxTokens);
      finishReason = "length";
    }
    long completionTokens = tokens.size();
    long cost = promptTokens + (maxTokens != null ? maxTokens : completionTokens);
    String id = String.format("chatcmpl-%08x%08x", hash, sequence.incrementAndGet());
    long created = System.currentTimeMillis() / 1000;
    ObjectNode usage = Json.object();
    usage.put("prompt_tokens", promptTokens);
    usage.put("completion_tokens", completionTokens);
    usage.put("total_tokens", promptTokens + completionTokens);

    if (stream != null && stream.asBoolean()) {
      List<byte[]> events = new ArrayList<>();
      events.add(Json.bytes(chunk(id, created, modelName, delta("assistant", ""), null, includeUsage)));
      for (String token : tokens) {
        events.add(Json.bytes(chunk(id, created, modelName, delta(null, token), null, includeUsage)));
      }
      events.add(Json.bytes(chunk(id, created, modelName, Json.object(), finishReason, includeUsage)));
      if (includeUsage) {
        ObjectNode last = header(id, created, modelName, "chat.completion.chunk");
        last.putArray("choices");
        last.set("usage", usage);
        events.add(Json.bytes(last));
      }
      return Reply.events(events, cost);
    }

    ObjectNode completion = header(id, created, modelName, "chat.completion");
    ObjectNode choice = completion.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", String.join("", tokens));
    message.putNull("refusal");
    message.putArray("annotations");
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    completion.set("usage", usage);
    return Reply.json(200, completion, cost);
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

  private static ObjectNode chunk(String id, long created, String model, ObjectNode delta, String finishReason,
      boolean includeUsage) {
    ObjectNode c = header(id, created, model, "chat.completion.chunk");
    ObjectNode choice = c.putArray("choices").addObject();
    choice.put("index", 0);
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
    d.put("content", content);
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
