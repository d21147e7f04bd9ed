package dev.fanout.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.NotFoundException;
import dev.fanout.errors.OverloadedException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.UnauthorizedException;
import dev.fanout.messages.ContentBlock;
import dev.fanout.messages.Message;
import dev.fanout.messages.MessageStreamListener;
import dev.fanout.messages.StopReason;
import java.util.TreeMap;
import java.util.function.Consumer;
import okhttp3.Response;
import okhttp3.sse.EventSource;

/**
 * Collects one attempt's Messages API stream: passes text pieces and tool-input fragments on in order and
 * assembles the message. Events, in Anthropic's order: {@code message_start}; per content block
 * {@code content_block_start}, {@code content_block_delta}s ({@code text_delta}, {@code input_json_delta},
 * {@code thinking_delta}, {@code signature_delta}, {@code citations_delta}; other delta types ignored),
 * {@code content_block_stop}; {@code message_delta} (stop reason, usage); {@code message_stop}. {@code ping}
 * may come anywhere; {@code error} ends the stream with the matching exception. Not public API.
 */
final class MessageStreamReader extends EventStreamReader<Message> {
  private final MessageStreamListener listener;
  private final Response response;
  private final TreeMap<Integer, BlockState> blocks = new TreeMap<>();
  private ObjectNode message;
  private final ObjectNode usage = Json.MAPPER.createObjectNode();

  MessageStreamReader(AttemptContext call, MessageStreamListener listener, long maxBytes,
      Redaction.Secrets secrets, Response response, IdleWatch idle) {
    super(call, maxBytes, secrets, idle);
    this.listener = listener;
    this.response = response;
  }

  // Progress, which re-arms the idle timer (the chat stream's rule): the message's start, a block's start or
  // stop, a non-empty text, tool-input, thinking or signature delta, a stop reason or usage, message_stop.
  // ping and empty deltas are not.
  @Override
  void read(EventSource source, String type, String data) {
    count(data);
    JsonNode event = object(data);
    String kind = event.path("type").asText(type == null ? "" : type);
    switch (kind) {
      case "message_start" -> onMessageStart(event, data);
      case "content_block_start" -> onBlockStart(event, data);
      case "content_block_delta" -> onBlockDelta(event, data);
      case "content_block_stop" -> onBlockStop(event, data);
      case "message_delta" -> onMessageDelta(event);
      case "message_stop" -> {
        if (message == null) {
          throw new DecodeException(call.label() + ": message_stop before message_start");
        }
        done = true;
        idle.progress();
        source.cancel(); // the message is complete: stop reading, whatever the server does with the connection
      }
      case "ping" -> { }
      case "error" -> throw error(event);
      default -> { } // new event types may be added; Anthropic asks clients to ignore unknown ones
    }
  }

  private void onMessageStart(JsonNode event, String data) {
    JsonNode m = event.get("message");
    if (m == null || !m.isObject()) {
      throw new DecodeException(call.label() + ": message_start without a message: " + abbreviate(data));
    }
    call.firstChunk();
    idle.progress();
    message = (ObjectNode) m.deepCopy();
    mergeUsage(m.get("usage"));
  }

  private void onBlockStart(JsonNode event, String data) {
    requireStarted("content_block_start");
    int index = index(event, data);
    JsonNode block = event.get("content_block");
    if (block == null || !block.isObject()) {
      throw new DecodeException(call.label() + ": content_block_start without a content_block: " + abbreviate(data));
    }
    BlockState state = new BlockState((ObjectNode) block.deepCopy());
    blocks.put(index, state);
    idle.progress();
    deliver();
    listener.onBlockStart(index, state.started());
  }

  private void onBlockDelta(JsonNode event, String data) {
    int index = index(event, data);
    BlockState state = blocks.get(index);
    if (state == null) {
      throw new DecodeException(call.label() + ": content_block_delta for block " + index + ", which never started");
    }
    JsonNode delta = event.path("delta");
    switch (delta.path("type").asText("")) {
      case "text_delta" -> piece(delta, "text", data, state.text, text -> listener.onText(index, text));
      case "input_json_delta" ->
          piece(delta, "partial_json", data, state.json, json -> listener.onToolInputDelta(index, json));
      case "thinking_delta" -> {
        String thinking = string(delta, "thinking", data);
        state.appendField("thinking", thinking);
        if (!thinking.isEmpty()) {
          idle.progress();
          deliver();
          listener.onThinking(index, thinking);
        }
      }
      case "signature_delta" -> {
        String signature = string(delta, "signature", data);
        state.block.put("signature", signature);
        if (!signature.isEmpty()) {
          idle.progress();
        }
      }
      case "citations_delta" -> {
        JsonNode citation = delta.get("citation");
        if (citation == null || !citation.isObject()) {
          throw new DecodeException(call.label() + ": citations_delta without a citation: " + abbreviate(data));
        }
        state.addCitation(citation);
        idle.progress();
        deliver();
        listener.onCitation(index, citation.deepCopy());
      }
      default -> { } // later delta types: the block keeps what content_block_start said
    }
  }

  private void onBlockStop(JsonNode event, String data) {
    int index = index(event, data);
    BlockState state = blocks.get(index);
    if (state == null) {
      throw new DecodeException(call.label() + ": content_block_stop for block " + index + ", which never started");
    }
    state.stopped = true;
    idle.progress();
    JsonNode one = Json.MAPPER.createObjectNode().put("type", "message")
        .set("content", Json.MAPPER.createArrayNode().add(state.toJson(call.label())));
    ContentBlock block = OpenAi.decode(call.label(), one, Message::fromJson).content().get(0);
    deliver();
    listener.onBlockStop(index, block);
  }

  private void onMessageDelta(JsonNode event) {
    requireStarted("message_delta");
    JsonNode delta = event.path("delta");
    for (String field : new String[] {"stop_reason", "stop_sequence"}) {
      if (delta.has(field)) {
        message.set(field, delta.get(field));
      }
    }
    JsonNode u = event.get("usage");
    if (delta.hasNonNull("stop_reason") || (u != null && u.isObject() && !u.isEmpty())) {
      idle.progress();
    }
    mergeUsage(u);
    if (delta.hasNonNull("stop_reason")) {
      listener.onStop(StopReason.of(delta.get("stop_reason").asText()));
    }
  }

  /** message_delta's usage fields are cumulative: each one present replaces message_start's. */
  private void mergeUsage(JsonNode u) {
    if (u != null && u.isObject()) {
      u.fields().forEachRemaining(e -> {
        if (!e.getValue().isNull()) {
          usage.set(e.getKey(), e.getValue());
        }
      });
    }
  }

  private void requireStarted(String event) {
    if (message == null) {
      throw new DecodeException(call.label() + ": " + event + " before message_start");
    }
  }

  /**
   * Appends the delta's {@code field} to {@code into}; a non-empty piece is progress, and is handed to
   * {@code to} once the call is committed.
   */
  private void piece(JsonNode delta, String field, String data, StringBuilder into, Consumer<String> to) {
    String piece = string(delta, field, data);
    into.append(piece);
    if (!piece.isEmpty()) {
      idle.progress();
      deliver();
      to.accept(piece);
    }
  }

  /** Marks the call committed: the caller is about to see something, so a failure is not retried. */
  private void deliver() {
    deltas++;
    call.commit();
  }

  private int index(JsonNode event, String data) {
    JsonNode i = event.get("index");
    if (i == null || !i.canConvertToInt()) {
      throw new DecodeException(call.label() + ": " + event.path("type").asText() + " without an index: "
          + abbreviate(data));
    }
    return i.asInt();
  }

  private String string(JsonNode node, String field, String data) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new DecodeException(call.label() + ": delta " + field + " is not a string: " + abbreviate(data));
    }
    return v.asText();
  }

  /** The exception of an {@code error} event, by Anthropic's error type (and the status it has as a response). */
  private ServiceException error(JsonNode event) {
    JsonNode error = event.path("error");
    String type = error.path("type").asText("api_error");
    String text = secrets.redact(error.path("message").asText(""));
    String m = call.label() + ": the stream carried an error after " + deltas + " events: " + type
        + (text.isEmpty() ? "" : ": " + secrets.excerpt(text, 200));
    switch (type) {
      case "overloaded_error":
        return new OverloadedException(m, errorResponse(response, 529, event));
      case "rate_limit_error":
        return new RateLimitedException(m, errorResponse(response, 429, event), null);
      case "invalid_request_error":
        return new BadRequestException(m, errorResponse(response, 400, event));
      case "authentication_error":
        return new UnauthorizedException(m, errorResponse(response, 401, event));
      case "permission_error":
        return new ServiceException(m, errorResponse(response, 403, event));
      case "not_found_error":
        return new NotFoundException(m, errorResponse(response, 404, event));
      case "request_too_large":
        return new ServiceException(m, errorResponse(response, 413, event));
      case "billing_error":
        return new ServiceException(m, errorResponse(response, 402, event));
      case "timeout_error":
        return new ServerException(m, errorResponse(response, 504, event));
      default:
        return new ServerException(m, errorResponse(response, 500, event));
    }
  }

  @Override
  String unfinished() {
    return "stream ended before message_stop after " + deltas + " events (" + blocks.size() + " content blocks)";
  }

  @Override
  ObjectNode assembled() {
    ArrayNode content = message.putArray("content");
    for (BlockState b : blocks.values()) {
      content.add(b.toJson(call.label()));
    }
    message.set("usage", usage);
    return message;
  }

  @Override
  Message decode(ObjectNode json) {
    return Message.fromJson(json);
  }

  /** One content block as its events have built it so far. */
  private static final class BlockState {
    final ObjectNode block;
    final StringBuilder text = new StringBuilder();
    final StringBuilder json = new StringBuilder();
    boolean stopped;

    BlockState(ObjectNode block) {
      this.block = block;
      if (block.path("text").isTextual()) {
        text.append(block.get("text").asText());
      }
    }

    String type() {
      return block.path("type").asText("");
    }

    /** Appends {@code citation} to the block's {@code citations} (null or absent until the first one). */
    void addCitation(JsonNode citation) {
      JsonNode citations = block.get("citations");
      ArrayNode list = citations instanceof ArrayNode a ? a : block.putArray("citations");
      list.add(citation.deepCopy());
    }

    void appendField(String field, String piece) {
      block.put(field, block.path(field).asText("") + piece);
    }

    /** The block as content_block_start announced it (a tool use's input still empty). */
    ContentBlock started() {
      return switch (type()) {
        case "text" -> new ContentBlock.Text(text.toString());
        case "tool_use" -> new ContentBlock.ToolUse(block.path("id").asText(""), block.path("name").asText(""),
            Json.MAPPER.createObjectNode());
        default -> new ContentBlock.Other(block.deepCopy());
      };
    }

    /** The block assembled: text joined; a tool use's input parsed from its fragments ({@code {}} if none). */
    ObjectNode toJson(String label) {
      ObjectNode out = block.deepCopy();
      switch (type()) {
        case "text" -> out.put("text", text.toString());
        case "tool_use", "server_tool_use" -> {
          if (json.length() > 0) {
            JsonNode input;
            try {
              input = Json.MAPPER.readTree(json.toString());
            } catch (JsonProcessingException e) {
              throw new DecodeException(label + ": tool use " + block.path("name").asText() + " input is not JSON: "
                  + Excerpts.abbreviate(json.toString()), e);
            }
            out.set("input", input);
          } else if (!out.path("input").isObject()) {
            out.putObject("input");
          }
        }
        default -> { }
      }
      return out;
    }
  }
}
