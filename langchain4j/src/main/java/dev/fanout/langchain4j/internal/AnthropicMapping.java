package dev.fanout.langchain4j.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.messages.ContentBlock;
import dev.fanout.messages.Message;
import dev.fanout.messages.MessageParam;
import dev.fanout.messages.MessageRequest;
import dev.fanout.messages.StopReason;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts LangChain4j's chat requests into Fanout's Messages API requests and its messages back into
 * LangChain4j's responses, the way LangChain4j's {@code AnthropicMapper} does for {@code AnthropicChatModel}.
 */
public final class AnthropicMapping {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AnthropicMapping() {}

  /** Returns the Fanout request for {@code request}, whose parameters are already merged with the model's. */
  public static MessageRequest toFanout(dev.langchain4j.model.chat.request.ChatRequest request,
      AnthropicSettings settings) {
    ChatRequestParameters p = request.parameters();
    String model = p.modelName();
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException(
          "modelName == null: set it on the model's builder or in the request's parameters");
    }
    if (p.responseFormat() != null && p.responseFormat().type() == ResponseFormatType.JSON) {
      throw new UnsupportedFeatureException("JSON response format is not supported by Anthropic's Messages API");
    }
    MessageRequest.Builder b = MessageRequest.builder().model(model)
        .maxTokens(p.maxOutputTokens() != null ? p.maxOutputTokens() : AnthropicSettings.DEFAULT_MAX_TOKENS);
    StringBuilder system = new StringBuilder();
    b.messages(turns(request.messages(), system));
    if (system.length() > 0) {
      b.system(system.toString());
    }
    if (p.temperature() != null) {
      b.temperature(p.temperature());
    }
    if (p.topP() != null) {
      b.topP(p.topP());
    }
    if (p.topK() != null) {
      b.topK(p.topK());
    }
    if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
      b.stopSequences(p.stopSequences());
    }
    List<ToolSpecification> specs = p.toolSpecifications();
    if (specs != null && !specs.isEmpty()) {
      List<dev.fanout.messages.Tool> tools = new ArrayList<>(specs.size());
      for (ToolSpecification spec : specs) {
        tools.add(tool(spec));
      }
      b.tools(tools);
      dev.fanout.messages.ToolChoice choice = null;
      if (p.toolChoice() != null) {
        choice = switch (p.toolChoice()) {
          case AUTO -> dev.fanout.messages.ToolChoice.auto();
          case REQUIRED -> settings.toolChoiceName() != null
              ? dev.fanout.messages.ToolChoice.tool(settings.toolChoiceName())
              : dev.fanout.messages.ToolChoice.any();
          case NONE -> dev.fanout.messages.ToolChoice.none();
        };
      }
      if (settings.disableParallelToolUse()) {
        choice = (choice == null ? dev.fanout.messages.ToolChoice.auto() : choice).disableParallelToolUse();
      }
      b.toolChoice(choice);
    }
    if (settings.userId() != null) {
      b.putExtra("metadata", Map.of("user_id", settings.userId()));
    }
    settings.customParameters().forEach(b::putExtra);
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new InvalidRequestException(e.getMessage(), e);
    }
  }

  /** The conversation as Anthropic's turns; consecutive turns of one role (tool results, say) are joined. */
  static List<MessageParam> turns(List<dev.langchain4j.data.message.ChatMessage> messages, StringBuilder system) {
    List<MessageParam> turns = new ArrayList<>();
    for (dev.langchain4j.data.message.ChatMessage message : messages) {
      MessageParam.Role next;
      List<ContentBlock> add = new ArrayList<>();
      if (message instanceof SystemMessage s) {
        if (system.length() > 0) {
          system.append("\n\n");
        }
        system.append(s.text());
        continue;
      } else if (message instanceof UserMessage user) {
        next = MessageParam.Role.USER;
        for (Content content : user.contents()) {
          if (content instanceof TextContent t) {
            add.add(ContentBlock.text(t.text()));
          } else if (content instanceof ImageContent image) {
            add.add(image.image().url() != null
                ? ContentBlock.imageUrl(image.image().url().toString())
                : ContentBlock.imageBase64(image.image().mimeType(), image.image().base64Data()));
          } else {
            throw new UnsupportedFeatureException("Anthropic's Messages API through Fanout does not send "
                + content.type() + " content");
          }
        }
      } else if (message instanceof AiMessage ai) {
        next = MessageParam.Role.ASSISTANT;
        if (ai.text() != null && !ai.text().isEmpty()) {
          add.add(ContentBlock.text(ai.text()));
        }
        for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
          if (r.id() == null) {
            throw new InvalidRequestException("tool execution request has no id (a tool_use needs one): " + r.name());
          }
          add.add(new ContentBlock.ToolUse(r.id(), r.name(), input(r.arguments())));
        }
      } else if (message instanceof ToolExecutionResultMessage result) {
        if (result.id() == null) {
          throw new InvalidRequestException("tool execution result has no id (a tool_result needs one): "
              + result.toolName());
        }
        next = MessageParam.Role.USER;
        add.add(ContentBlock.toolResult(result.id(), result.text()));
      } else {
        throw new UnsupportedFeatureException("Anthropic's Messages API through Fanout does not send "
            + message.type() + " messages");
      }
      if (add.isEmpty()) {
        add.add(ContentBlock.text(""));
      }
      turns.add(new MessageParam(next, add));
    }
    return MessageParam.joinConsecutive(turns);
  }

  private static JsonNode input(String arguments) {
    if (arguments == null || arguments.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(arguments);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (java.io.IOException notJson) {
      // fall through
    }
    throw new InvalidRequestException("tool execution request arguments are not a JSON object: " + arguments);
  }

  static dev.fanout.messages.Tool tool(ToolSpecification spec) {
    JsonNode schema = spec.parameters() != null
        ? JSON.valueToTree(JsonSchemaElementUtils.toMap(spec.parameters()))
        : JSON.createObjectNode().put("type", "object").set("properties", JSON.createObjectNode());
    return dev.fanout.messages.Tool.of(spec.name(), spec.description(), schema);
  }

  /** Returns LangChain4j's response for {@code message}. */
  public static ChatResponse toLangChain4j(Message message) {
    List<ToolExecutionRequest> requests = new ArrayList<>();
    for (ContentBlock.ToolUse use : message.toolUses()) {
      requests.add(ToolExecutionRequest.builder().id(use.id()).name(use.name()).arguments(use.input().toString()).build());
    }
    String text = message.text();
    AiMessage ai = AiMessage.builder().text(text.isEmpty() ? null : text).toolExecutionRequests(requests).build();
    Message.Usage u = message.usage();
    return ChatResponse.builder()
        .aiMessage(ai)
        .id(message.id())
        .modelName(message.model())
        .finishReason(finishReason(message.stopReason()))
        .tokenUsage(new TokenUsage((int) u.totalInputTokens(), (int) u.outputTokens()))
        .build();
  }

  static FinishReason finishReason(StopReason reason) {
    return switch (reason) {
      case END_TURN, STOP_SEQUENCE, PAUSE_TURN -> FinishReason.STOP;
      case MAX_TOKENS, MODEL_CONTEXT_WINDOW_EXCEEDED -> FinishReason.LENGTH;
      case TOOL_USE -> FinishReason.TOOL_EXECUTION;
      case REFUSAL -> FinishReason.CONTENT_FILTER;
      case OTHER -> FinishReason.OTHER;
    };
  }
}
