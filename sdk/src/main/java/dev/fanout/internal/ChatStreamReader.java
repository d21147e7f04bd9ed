package dev.fanout.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatStreamListener;
import dev.fanout.chat.FinishReason;
import dev.fanout.chat.ToolCallDelta;
import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.ServiceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import okhttp3.Response;
import okhttp3.sse.EventSource;

/** Collects one attempt's stream: passes deltas on in order and assembles the completion. */
final class ChatStreamReader extends EventStreamReader<ChatCompletion> {
  /** OpenAI's error types and codes of a rate limit, which it answers with HTTP 429. */
  private static final Set<String> RATE_LIMITED =
      Set.of("rate_limit_exceeded", "rate_limit_error", "requests", "tokens", "insufficient_quota");
  private final ChatStreamListener listener;
  private final Response response;
  private final boolean firstTextOnly;
  private final TreeMap<Integer, ChoiceState> choices = new TreeMap<>();
  private ObjectNode header;
  private JsonNode usage;

  ChatStreamReader(AttemptContext call, ChatStreamListener listener, long maxBytes, Redaction.Secrets secrets,
      Response response, IdleWatch idle) {
    super(call, maxBytes, secrets, idle);
    this.listener = listener;
    this.response = response;
    this.firstTextOnly = listener instanceof FirstChoiceText;
  }

  // Progress, which re-arms the idle timer: content or refusal text, a tool-call fragment, usage, a finish
  // reason, or [DONE]. Comments (': ping') and events carrying none of these ({"choices":[]}) are not.
  @Override
  void read(EventSource source, String type, String data) {
    count(data);
    if (data.strip().equals("[DONE]")) {
      done = true;
      idle.progress();
      source.cancel(); // the stream is complete: stop reading, whatever the server does with the connection
      return;
    }
    JsonNode chunk = object(data);
    if (chunk.hasNonNull("error")) {
      throw error(chunk);
    }
    JsonNode choiceArray = chunk.get("choices");
    if (choiceArray == null || !choiceArray.isArray()) {
      throw new DecodeException(call.label() + ": stream chunk has no choices array: " + abbreviate(data));
    }
    if (header == null) {
      call.firstChunk();
      header = Json.MAPPER.createObjectNode();
      header.put("id", "");
      header.put("object", "chat.completion");
      header.put("created", 0L);
      header.put("model", "");
    }
    // The first chunk that names them: Azure OpenAI opens a stream with a prompt-filter chunk whose id and
    // model are "" and created 0.
    for (String field : new String[] {"id", "model"}) {
      if (header.get(field).asText().isEmpty() && !chunk.path(field).asText("").isEmpty()) {
        header.put(field, chunk.path(field).asText());
      }
    }
    if (header.get("created").asLong() == 0) {
      header.put("created", chunk.path("created").asLong(0));
    }
    for (String field : new String[] {"system_fingerprint", "service_tier"}) {
      JsonNode v = chunk.get(field);
      if (v != null && !v.isNull() && !header.has(field)) {
        header.set(field, v);
      }
    }
    JsonNode u = chunk.get("usage");
    if (u != null && u.isObject()) {
      usage = u;
      idle.progress();
    }
    for (JsonNode choice : choiceArray) {
      onChoice(choice, data);
    }
  }

  private void onChoice(JsonNode choice, String data) {
    int index = choice.path("index").asInt(0);
    ChoiceState state = choices.computeIfAbsent(index, ChoiceState::new);
    JsonNode delta = choice.path("delta");
    if (delta.hasNonNull("role")) {
      state.role = delta.get("role").asText();
    }
    String text = text(delta, "content", data);
    if (text != null) {
      state.content.append(text);
      state.sawContent = true;
      if (!text.isEmpty()) {
        deliver(index == 0 || !firstTextOnly);
        listener.onContentDelta(index, text);
      }
    }
    String refusal = text(delta, "refusal", data);
    if (refusal != null) {
      state.refusal.append(refusal);
      state.sawRefusal = true;
      if (!refusal.isEmpty()) {
        deliver(!firstTextOnly);
        listener.onRefusalDelta(index, refusal);
      }
    }
    JsonNode calls = delta.get("tool_calls");
    if (calls != null && !calls.isNull()) {
      if (!calls.isArray()) {
        throw new DecodeException(call.label() + ": delta tool_calls is not an array: " + abbreviate(data));
      }
      for (int i = 0; i < calls.size(); i++) {
        onToolCall(index, state, calls.get(i), i, data);
      }
    }
    if (choice.hasNonNull("finish_reason")) {
      state.finishReason = choice.get("finish_reason").asText();
      idle.progress();
      listener.onFinish(index, FinishReason.of(state.finishReason));
    }
  }

  private void onToolCall(int choiceIndex, ChoiceState state, JsonNode fragment, int position, String data) {
    if (!fragment.isObject()) {
      throw new DecodeException(call.label() + ": tool call delta is not an object: " + abbreviate(data));
    }
    int index = fragment.path("index").asInt(position);
    String id = text(fragment, "id", data);
    JsonNode function = fragment.path("function");
    String name = function.isObject() ? text(function, "name", data) : null;
    JsonNode args = function.get("arguments");
    String arguments = args == null || args.isNull() ? "" : args.isTextual() ? args.asText() : args.toString();
    CallState c = state.callsByIndex.get(index);
    // A new id at an index already taken by another call starts a new call: some OpenAI-compatible
    // servers number every call of a parallel batch 0.
    if (c == null || (id != null && !id.isEmpty() && !c.id.isEmpty() && !c.id.equals(id))) {
      c = new CallState();
      state.callsByIndex.put(index, c);
      state.calls.add(c);
    }
    if (id != null && c.id.isEmpty()) {
      c.id = id;
    }
    String type = text(fragment, "type", data);
    if (type != null) {
      c.type = type;
    }
    if (name != null && c.name.isEmpty()) {
      c.name = name;
    }
    c.arguments.append(arguments);
    deliver(!firstTextOnly);
    listener.onToolCallDelta(new ToolCallDelta(
        choiceIndex, index, Optional.ofNullable(id), Optional.ofNullable(name), arguments));
  }

  /**
   * The exception of an error the server sent in place of a chunk ({@code {"error": {"message", "type",
   * "param", "code"}}}), typed by the status OpenAI gives that error as a response: a rate limit is a
   * {@link RateLimitedException}, an {@code invalid_request_error} a {@link BadRequestException}, anything
   * else a {@link ServerException}. Its body is the event, so {@link ServiceException#errorType()} and the
   * others read it.
   */
  private ServiceException error(JsonNode chunk) {
    JsonNode error = chunk.get("error");
    String type = error.path("type").isTextual() ? error.path("type").asText() : "";
    String code = error.path("code").isValueNode() && !error.path("code").isNull() ? error.path("code").asText() : "";
    String text = error.isTextual() ? error.asText() : error.path("message").asText("");
    String m = call.label() + ": the stream carried an error after " + deltas + " deltas: "
        + (type.isEmpty() ? "" : type + ": ") + (text.isEmpty() ? abbreviate(error.toString()) : abbreviate(text))
        + (code.isEmpty() ? "" : " (code " + code + ")");
    if (RATE_LIMITED.contains(code) || RATE_LIMITED.contains(type)) {
      return new RateLimitedException(m, errorResponse(response, 429, chunk), null);
    }
    if (type.equals("invalid_request_error")) {
      return new BadRequestException(m, errorResponse(response, 400, chunk));
    }
    return new ServerException(m, errorResponse(response, 500, chunk));
  }

  /** Marks the call committed when the caller is about to see something, so a failure is not retried. */
  private void deliver(boolean seen) {
    deltas++;
    idle.progress();
    if (seen) {
      call.commit();
    }
  }

  private String text(JsonNode node, String field, String data) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new DecodeException(call.label() + ": delta " + field + " is not a string: " + abbreviate(data));
    }
    return v.asText();
  }

  @Override
  String unfinished() {
    int characters = 0;
    for (ChoiceState s : choices.values()) {
      characters += s.content.length();
    }
    return "stream ended without [DONE] after " + characters + " characters (" + deltas + " deltas)";
  }

  @Override
  ObjectNode assembled() {
    ObjectNode completion = header != null ? header : Json.MAPPER.createObjectNode().put("object", "chat.completion");
    ArrayNode array = completion.putArray("choices");
    for (ChoiceState s : choices.values()) {
      array.add(s.toJson());
    }
    if (usage != null) {
      completion.set("usage", usage);
    }
    return completion;
  }

  @Override
  ChatCompletion decode(ObjectNode json) {
    return ChatCompletion.fromJson(json);
  }

  /** The {@code Consumer<String>} form: the first choice's text only; only that commits the call. */
  static final class FirstChoiceText implements ChatStreamListener {
    private final Consumer<String> onDelta;

    FirstChoiceText(Consumer<String> onDelta) {
      this.onDelta = onDelta;
    }

    @Override
    public void onContentDelta(int choiceIndex, String text) {
      if (choiceIndex == 0) {
        onDelta.accept(text);
      }
    }
  }

  /** One choice of a stream, as its chunks have built it so far. */
  private static final class ChoiceState {
    final int index;
    String role = "assistant";
    final StringBuilder content = new StringBuilder();
    boolean sawContent;
    final StringBuilder refusal = new StringBuilder();
    boolean sawRefusal;
    final List<CallState> calls = new ArrayList<>();
    final Map<Integer, CallState> callsByIndex = new HashMap<>();
    String finishReason;

    ChoiceState(int index) {
      this.index = index;
    }

    ObjectNode toJson() {
      ObjectNode choice = Json.MAPPER.createObjectNode();
      choice.put("index", index);
      ObjectNode message = choice.putObject("message");
      message.put("role", role);
      if (sawContent || calls.isEmpty()) {
        message.put("content", content.toString());
      } else {
        message.putNull("content");
      }
      if (sawRefusal) {
        message.put("refusal", refusal.toString());
      }
      if (!calls.isEmpty()) {
        ArrayNode array = message.putArray("tool_calls");
        for (CallState c : calls) {
          ObjectNode call = array.addObject();
          call.put("id", c.id);
          call.put("type", c.type);
          ObjectNode function = call.putObject("function");
          function.put("name", c.name);
          function.put("arguments", c.arguments.toString());
        }
      }
      if (finishReason != null) {
        choice.put("finish_reason", finishReason);
      } else {
        choice.putNull("finish_reason");
      }
      return choice;
    }
  }

  /** One tool call of a streamed choice: id and name from its first fragment, arguments concatenated. */
  private static final class CallState {
    String id = "";
    String type = "function";
    String name = "";
    final StringBuilder arguments = new StringBuilder();
  }
}
