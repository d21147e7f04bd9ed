package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/messages}, Anthropic's Messages API, checked as strictly as Anthropic does (see
 * {@link MessageRequestChecks}: bad input is a 400 {@code invalid_request_error} in Anthropic's error shape)
 * and answered deterministically:
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
 *   <li>{@code max_tokens: 0}, which pre-warms the prompt cache, answers {@code content: []} with
 *       {@code stop_reason: max_tokens};
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
  /** Anthropic's token counting, answered by this backend. */
  static final String COUNT_TOKENS_PATH = "/v1/messages/count_tokens";
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
    MessageRequestChecks.Outcome outcome = MessageRequestChecks.check(request, counting);
    if (outcome instanceof MessageRequestChecks.Refused refused) return refused.reply();
    MessageRequestChecks.Accepted checked = (MessageRequestChecks.Accepted) outcome;
    return counting ? count(checked) : answer(checked);
  }

  /** Token counting's answer: every input token, cached or not. */
  private Reply count(MessageRequestChecks.Accepted checked) {
    long inputTokens = checked.inputTokens() + checked.cacheReadTokens();
    Reply count = Reply.json(200, Json.object().put("input_tokens", inputTokens));
    count.anthropic = true; // a fault or rate limit on this route answers in Anthropic's shape
    return count.header("request-id", "req_mockcount" + String.format("%016x", counts.incrementAndGet()));
  }

  /** The message (or its stream) that answers a checked request. */
  private Reply answer(MessageRequestChecks.Accepted checked) {
    JsonNode root = checked.body();
    String modelName = checked.model();
    long maxTokens = checked.maxTokens();
    List<JsonNode> tools = checked.tools();
    String choiceType = checked.choiceType();
    List<ChatDispatcher.ToolResult> results = checked.results();
    String lastUser = checked.lastUser();
    String lastRole = checked.lastRole();
    long inputTokens = checked.inputTokens();
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
      String prompt = lastUser.isBlank() ? "example" : lastUser;
      List<ToolPlan.Call> planned = ToolPlan.plan(tools, checked.named(), checked.parallel(), prompt);
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
          : ChatDispatcher.completionTokens(lastUser, Crc.of(checked.transcript()));
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
    usage.put("cache_read_input_tokens", checked.cacheReadTokens());
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
        .anthropicMetering(modelName, checked.promptTokens(), maxTokens, inputTokens, outputTokens);
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

  /** Text as streamed tokens: each word with its leading space. */
  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*\\S+").matcher(text);
    while (m.find()) out.add(m.group());
    return out;
  }
}
