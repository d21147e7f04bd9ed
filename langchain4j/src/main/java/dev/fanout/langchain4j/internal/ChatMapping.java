package dev.fanout.langchain4j.internal;

import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatMessage;
import dev.fanout.chat.ContentPart;
import dev.fanout.chat.ChatRequest;
import dev.fanout.chat.Tool;
import dev.fanout.chat.ToolCall;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts LangChain4j's chat requests into Fanout's (OpenAI's wire format) and Fanout's completions back
 * into LangChain4j's responses, the way LangChain4j's {@code OpenAiUtils} does for {@code OpenAiChatModel}.
 */
public final class ChatMapping {
  private ChatMapping() {}

  /**
   * Returns the Fanout request for {@code request}, whose parameters are already the model's defaults
   * overridden by the request's (LangChain4j's {@code ChatModel.chat} merges them before {@code doChat}).
   */
  public static ChatRequest toFanout(
      dev.langchain4j.model.chat.request.ChatRequest request, ChatSettings settings) {
    ChatRequestParameters p = request.parameters();
    if (p.topK() != null) {
      throw new UnsupportedFeatureException("'topK' parameter is not supported by OpenAI");
    }
    String model = p.modelName();
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException(
          "modelName == null: set it on the model's builder or in the request's parameters");
    }
    ChatRequest.Builder b = ChatRequest.builder().model(model);
    for (dev.langchain4j.data.message.ChatMessage message : request.messages()) {
      b.addMessage(toFanout(message));
    }
    b.temperature(p.temperature())
        .topP(p.topP())
        .frequencyPenalty(p.frequencyPenalty())
        .presencePenalty(p.presencePenalty())
        .maxTokens(p.maxOutputTokens())
        .maxCompletionTokens(settings.maxCompletionTokens())
        .seed(settings.seed() == null ? null : settings.seed().longValue())
        .user(settings.user());
    if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
      b.stop(p.stopSequences());
    }
    List<ToolSpecification> specs = p.toolSpecifications();
    if (specs != null && !specs.isEmpty()) {
      for (ToolSpecification spec : specs) {
        b.addTool(toFanout(spec, settings.strictTools()));
      }
      if (p.toolChoice() != null) {
        b.toolChoice(switch (p.toolChoice()) {
          case AUTO -> dev.fanout.chat.ToolChoice.auto();
          case REQUIRED -> dev.fanout.chat.ToolChoice.required();
          case NONE -> dev.fanout.chat.ToolChoice.none();
        });
      }
      b.parallelToolCalls(settings.parallelToolCalls());
    }
    b.responseFormat(toFanout(p.responseFormat(), settings.strictJsonSchema()));
    return b.build();
  }

  static ChatMessage toFanout(dev.langchain4j.data.message.ChatMessage message) {
    if (message instanceof SystemMessage system) {
      return ChatMessage.system(system.text());
    }
    if (message instanceof UserMessage user) {
      if (user.hasSingleText()) {
        return ChatMessage.user(user.singleText());
      }
      List<ContentPart> parts = new ArrayList<>();
      for (Content content : user.contents()) {
        if (content instanceof TextContent t) {
          parts.add(ContentPart.text(t.text()));
        } else if (content instanceof ImageContent image) {
          parts.add(toFanout(image));
        } else {
          throw new UnsupportedFeatureException(
              "Fanout's chat sends text and images; a user message has " + content.type() + " content");
        }
      }
      return ChatMessage.user(parts);
    }
    if (message instanceof AiMessage ai) {
      if (!ai.hasToolExecutionRequests()) {
        return ChatMessage.assistant(ai.text() == null ? "" : ai.text());
      }
      List<ToolCall> calls = new ArrayList<>();
      for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
        if (r.id() == null) {
          throw new InvalidRequestException(
              "tool execution request has no id (OpenAI's tool calls need one): " + r.name());
        }
        String args = r.arguments() == null || r.arguments().isBlank() ? "{}" : r.arguments();
        calls.add(ToolCall.function(r.id(), r.name(), args));
      }
      return ChatMessage.assistant(ai.text(), calls);
    }
    if (message instanceof ToolExecutionResultMessage result) {
      if (result.id() == null) {
        throw new InvalidRequestException(
            "tool execution result has no id (OpenAI's tool messages need one): " + result.toolName());
      }
      return ChatMessage.tool(result.id(), result.text());
    }
    throw new UnsupportedFeatureException("Fanout's chat does not send " + message.type() + " messages");
  }

  /**
   * An image as OpenAI's {@code image_url} part, as {@code OpenAiChatModel} sends it: its URL, or a
   * {@code data:} URL of its base64 data; the detail level {@code low}, {@code high} or {@code auto}.
   */
  static ContentPart toFanout(ImageContent content) {
    Image image = content.image();
    String detail = switch (content.detailLevel()) {
      case LOW -> "low";
      case HIGH -> "high";
      case AUTO -> "auto";
      default -> throw new UnsupportedFeatureException(
          "OpenAI's image detail is low, high or auto, not " + content.detailLevel());
    };
    if (image.url() != null) {
      return ContentPart.imageUrl(image.url().toString(), detail);
    }
    if (image.base64Data() == null || image.mimeType() == null) {
      throw new InvalidRequestException("an image needs a URL, or base64 data and its MIME type");
    }
    return ContentPart.imageData(image.mimeType(), image.base64Data(), detail);
  }

  static Tool toFanout(ToolSpecification spec, boolean modelStrict) {
    boolean strict = spec.strict() != null ? spec.strict() : modelStrict;
    Map<String, Object> schema;
    JsonObjectSchema parameters = spec.parameters();
    if (parameters != null) {
      schema = JsonSchemaElementUtils.toMap(parameters, strict);
    } else {
      schema = new LinkedHashMap<>();
      schema.put("type", "object");
      schema.put("properties", Map.of());
      schema.put("required", List.of());
      if (strict) {
        schema.put("additionalProperties", false);
      }
    }
    return Tool.function(spec.name(), spec.description(), schema, strict);
  }

  static dev.fanout.chat.ResponseFormat toFanout(ResponseFormat format, boolean strict) {
    if (format == null || format.type() == ResponseFormatType.TEXT) {
      return null;
    }
    JsonSchema schema = format.jsonSchema();
    if (schema == null) {
      return dev.fanout.chat.ResponseFormat.jsonObject();
    }
    if (!(schema.rootElement() instanceof JsonObjectSchema || schema.rootElement() instanceof JsonRawSchema)) {
      throw new IllegalArgumentException(
          "the root element of an OpenAI JSON schema must be a JsonObjectSchema or a JsonRawSchema, not "
              + schema.rootElement().getClass().getSimpleName());
    }
    return dev.fanout.chat.ResponseFormat.jsonSchema(
        schema.name() == null ? "response" : schema.name(),
        JsonSchemaElementUtils.toMap(schema.rootElement(), strict),
        strict);
  }

  /** Returns LangChain4j's response for the first choice of {@code completion}. */
  public static ChatResponse toLangChain4j(ChatCompletion completion) {
    if (completion.choices().isEmpty()) {
      throw new dev.langchain4j.exception.InternalServerException(
          "Chat completion failed: no choices returned in response");
    }
    ChatCompletion.Choice choice = completion.choice(0);
    ChatMessage message = choice.message();
    if (message.refusal().filter(r -> !r.isBlank()).isPresent()) {
      throw new ContentFilteredException(message.refusal().get());
    }
    List<ToolExecutionRequest> requests = new ArrayList<>();
    for (ToolCall call : message.toolCalls()) {
      requests.add(ToolExecutionRequest.builder()
          .id(call.id())
          .name(call.name())
          .arguments(call.arguments())
          .build());
    }
    String text = message.hasContent() && !message.content().isEmpty() ? message.content() : null;
    AiMessage ai = AiMessage.builder().text(text).toolExecutionRequests(requests).build();
    ChatResponse.Builder response = ChatResponse.builder()
        .aiMessage(ai)
        .id(completion.id())
        .modelName(completion.model())
        .finishReason(toLangChain4j(choice.finishReason()));
    completion.usage().ifPresent(u ->
        response.tokenUsage(new TokenUsage(u.promptTokens(), u.completionTokens(), u.totalTokens())));
    return response.build();
  }

  static FinishReason toLangChain4j(dev.fanout.chat.FinishReason reason) {
    return switch (reason) {
      case STOP -> FinishReason.STOP;
      case LENGTH -> FinishReason.LENGTH;
      case TOOL_CALLS, FUNCTION_CALL -> FinishReason.TOOL_EXECUTION;
      case CONTENT_FILTER -> FinishReason.CONTENT_FILTER;
      case UNKNOWN -> null;
    };
  }
}
