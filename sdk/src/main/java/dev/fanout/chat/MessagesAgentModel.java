package dev.fanout.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.CallOptions;
import dev.fanout.internal.Json;
import dev.fanout.messages.ContentBlock;
import dev.fanout.messages.Message;
import dev.fanout.messages.MessageParam;
import dev.fanout.messages.MessageRequest;
import dev.fanout.messages.MessagesService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/** Anthropic's Messages API as an {@link AgentModel}: the conversation translated to and from its blocks. */
record MessagesAgentModel(MessagesService messages, String model, UnaryOperator<MessageRequest.Builder> request)
    implements AgentModel {

  @Override
  public CompletableFuture<ChatCompletion> next(List<ChatMessage> conversation, List<Tool> tools, CallOptions options) {
    MessageRequest.Builder b = request.apply(MessageRequest.builder().model(model).maxTokens(DEFAULT_MAX_TOKENS));
    Objects.requireNonNull(b, "request customizer returned null");
    List<dev.fanout.messages.Tool> offered = new ArrayList<>(tools.size());
    for (Tool t : tools) {
      offered.add(dev.fanout.messages.Tool.of(t.name(), t.description().orElse(null), t.parameters()));
    }
    StringBuilder system = new StringBuilder();
    List<MessageParam> turns = turns(conversation, system);
    b.model(model).messages(turns).tools(offered);
    if (system.length() > 0) {
      b.system(system.toString());
    }
    return messages.withOptions(options).createAsync(b.build()).thenApply(MessagesAgentModel::completion);
  }

  /**
   * The conversation as Anthropic's turns: system and developer messages go to {@code system}; an
   * assistant message becomes its text and {@code tool_use} blocks; tool results become {@code tool_result}
   * blocks; consecutive turns of one role are joined into one (tool results and the user text after them).
   */
  static List<MessageParam> turns(List<ChatMessage> conversation, StringBuilder system) {
    List<MessageParam> turns = new ArrayList<>();
    for (ChatMessage m : conversation) {
      MessageParam.Role next;
      List<ContentBlock> add = new ArrayList<>();
      switch (m.role()) {
        case "system", "developer" -> {
          if (system.length() > 0) {
            system.append("\n\n");
          }
          system.append(m.content());
          continue;
        }
        case "assistant" -> {
          next = MessageParam.Role.ASSISTANT;
          if (m.hasContent() && !m.content().isEmpty()) {
            add.add(ContentBlock.text(m.content()));
          }
          for (ToolCall call : m.toolCalls()) {
            add.add(new ContentBlock.ToolUse(call.id(), call.name(), input(call)));
          }
        }
        case "tool" -> {
          next = MessageParam.Role.USER;
          add.add(ContentBlock.toolResult(m.toolCallId().orElse(""), m.content()));
        }
        default -> {
          next = MessageParam.Role.USER;
          add.add(ContentBlock.text(m.content()));
        }
      }
      if (add.isEmpty()) {
        add.add(ContentBlock.text(""));
      }
      turns.add(new MessageParam(next, add));
    }
    return MessageParam.joinConsecutive(turns);
  }

  /** A tool call's arguments as a tool use's input: the JSON object, or {@code {}} if they are not one. */
  private static JsonNode input(ToolCall call) {
    try {
      JsonNode args = call.argumentsJson();
      if (args != null && args.isObject()) {
        return args;
      }
    } catch (RuntimeException notJson) {
      // the model wrote something else: sent as an empty input, as the API requires an object
    }
    return Json.objectNode();
  }

  /** The answer as a completion: text as content, tool uses as tool calls, the stop reason as finish reason. */
  static ChatCompletion completion(Message m) {
    ObjectNode c = Json.objectNode();
    c.put("id", m.id());
    c.put("object", "chat.completion");
    c.put("created", 0);
    c.put("model", m.model());
    ArrayNode choices = c.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    List<ContentBlock.ToolUse> uses = m.toolUses();
    String text = m.text();
    if (text.isEmpty() && !uses.isEmpty()) {
      message.putNull("content");
    } else {
      message.put("content", text);
    }
    if (!uses.isEmpty()) {
      ArrayNode calls = message.putArray("tool_calls");
      for (ContentBlock.ToolUse u : uses) {
        ObjectNode call = calls.addObject();
        call.put("id", u.id());
        call.put("type", "function");
        call.putObject("function").put("name", u.name()).put("arguments", u.input().toString());
      }
    }
    choice.put("finish_reason", switch (m.stopReason()) {
      case TOOL_USE -> "tool_calls";
      case MAX_TOKENS, MODEL_CONTEXT_WINDOW_EXCEEDED -> "length";
      case REFUSAL -> "content_filter";
      default -> "stop";
    });
    Message.Usage u = m.usage();
    c.putObject("usage")
        .put("prompt_tokens", u.totalInputTokens())
        .put("completion_tokens", u.outputTokens())
        .put("total_tokens", u.totalInputTokens() + u.outputTokens());
    return ChatCompletion.fromJson(c);
  }

  @Override
  public String toString() {
    return "anthropic " + model;
  }
}
