package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible and as strict: a request is checked by {@link
 * ChatRequestChecks} ({@code model} and {@code messages} are required, a {@code tool} message must answer a
 * preceding assistant {@code tool_calls} entry, {@code n} is 1 to 128; bad input is a 400 in OpenAI's error
 * shape naming the parameter). The answer is deterministic:
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
  public static final int MAX_CHOICES = ChatRequestChecks.MAX_CHOICES;
  private static final int MAX_RESULT_CHARS = 500;
  private static final int ECHO_WORDS = 12;

  private final AtomicLong sequence = new AtomicLong();

  @Override
  public Reply handle(ReceivedRequest request) {
    JsonPost post = jsonPost(request, "/v1/chat/completions");
    if (post.refusal() != null) return post.refusal();
    ChatRequestChecks.Checked checked = ChatRequestChecks.check(post.root());
    if (checked.refusal() != null) return checked.refusal();
    ChatRequest req = checked.request();

    String transcript = req.transcript();
    String lastUser = req.lastUser();
    List<ToolResult> toolResults = req.toolResults();
    int choices = req.choices();
    Integer maxTokens = req.maxTokens();
    boolean includeUsage = req.includeUsage();
    List<JsonNode> tools = req.tools();
    String format = req.format();
    JsonNode schema = req.schema();
    long promptTokens = 3;
    long promptChars = 0;
    for (ChatRequest.Turn turn : req.turns()) {
      promptTokens += 4 + (turn.text().length() + 3) / 4;
      promptChars += turn.text().length();
    }
    for (JsonNode f : tools) {
      promptChars += f.toString().length();
      promptTokens += (f.toString().length() + 3) / 4;
    }

    String modelName = req.model();
    long hash = Crc.of(transcript);
    String choiceMode = req.choiceMode();
    boolean callTools = !tools.isEmpty() && !choiceMode.equals("none")
        && (!choiceMode.equals("auto") || req.lastRole().equals("user"));
    List<ToolPlan.Call> planned = callTools
        ? ToolPlan.plan(tools, req.named(), req.parallel(), lastUser) : List.of();

    String id = String.format("chatcmpl-%08x%08x", hash, sequence.incrementAndGet());
    long created = System.currentTimeMillis() / 1000;
    List<Answer> answers = new ArrayList<>();
    long completionTokens = 0;
    for (int c = 0; c < choices; c++) {
      Answer a = new Answer();
      if (callTools) {
        for (int k = 0; k < planned.size(); k++) {
          ToolPlan.Call call = planned.get(k);
          String callId = String.format("call_%08x%08x%08x", hash, c * 1_000 + k, Crc.of(call.name() + c + ":" + k));
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
          tokens = completionTokens(lastUser, c == 0 ? hash : Crc.of(transcript + "#" + c));
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

    if (req.stream()) {
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
      return Reply.events(events, cost).metering(modelName, promptEstimate, maxTokens != null ? maxTokens : -1, choices,
          used);
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
}
