package dev.fanout.langchain4j;

import static dev.fanout.langchain4j.OpenAiWire.body;
import static dev.fanout.langchain4j.OpenAiWire.completion;
import static dev.fanout.langchain4j.OpenAiWire.json;
import static dev.fanout.langchain4j.OpenAiWire.parse;
import static dev.fanout.langchain4j.OpenAiWire.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServiceException;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** FanoutChatModel against scripted OpenAI responses: the wire form of every option, the mapped response, errors. */
@Timeout(20)
class FanoutChatModelTest {
  static final ToolSpecification WEATHER = ToolSpecification.builder()
      .name("get_weather")
      .description("Current weather in a city")
      .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build())
      .build();

  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/").toString()).apiKey("sk-secret-key-123")
        .retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private FanoutChatModel.Builder model() {
    return FanoutChatModel.builder().client(client).modelName("gpt-4o-mini");
  }

  private RecordedRequest take() throws InterruptedException {
    return server.takeRequest(5, TimeUnit.SECONDS);
  }

  @Test
  void sendsOpenAiOptionsAndReadsTheAnswer() throws Exception {
    server.enqueue(json(text("Fan-out is many calls at once.")));
    FanoutChatModel model = model().temperature(0.2).topP(0.9).maxTokens(100).maxCompletionTokens(120)
        .stop("END").seed(7).presencePenalty(0.5).frequencyPenalty(-0.5).user("u-1").build();

    ChatResponse response = model.chat(ChatRequest.builder()
        .messages(SystemMessage.from("Answer in one sentence."), UserMessage.from("What is fan-out?"))
        .build());

    assertThat(response.aiMessage().text()).isEqualTo("Fan-out is many calls at once.");
    assertThat(response.aiMessage().hasToolExecutionRequests()).isFalse();
    assertThat(response.id()).isEqualTo("chatcmpl-A1");
    assertThat(response.modelName()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(19);
    assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(10);
    assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(29);

    RecordedRequest recorded = take();
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    assertThat(body(recorded)).isEqualTo(parse("{\"model\":\"gpt-4o-mini\",\"messages\":["
        + "{\"role\":\"system\",\"content\":\"Answer in one sentence.\"},"
        + "{\"role\":\"user\",\"content\":\"What is fan-out?\"}],"
        + "\"temperature\":0.2,\"top_p\":0.9,\"max_tokens\":100,\"max_completion_tokens\":120,"
        + "\"stop\":[\"END\"],\"seed\":7,\"user\":\"u-1\",\"presence_penalty\":0.5,\"frequency_penalty\":-0.5}"));
  }

  @Test
  void requestParametersOverrideTheBuildersDefaults() throws Exception {
    server.enqueue(json(text("ok")));
    FanoutChatModel model = FanoutChatModel.builder().client(client)
        .defaultRequestParameters(ChatRequestParameters.builder().modelName("gpt-4o").temperature(1.0).build())
        .temperature(0.5)
        .build();
    assertThat(model.defaultRequestParameters().modelName()).isEqualTo("gpt-4o");
    assertThat(model.defaultRequestParameters().temperature()).isEqualTo(0.5);

    model.chat(ChatRequest.builder().messages(UserMessage.from("hi"))
        .parameters(ChatRequestParameters.builder().modelName("o4-mini").build()).build());

    JsonNode sent = body(take());
    assertThat(sent.get("model").asText()).isEqualTo("o4-mini");
    assertThat(sent.get("temperature").asDouble()).isEqualTo(0.5);
  }

  @Test
  void toolsGoOutAsOpenAiFunctionsAndToolCallsComeBackAsExecutionRequests() throws Exception {
    server.enqueue(json(completion("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
        + "{\"id\":\"call_P\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
        + "{\"id\":\"call_O\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}"
        + "]}", "tool_calls")));
    FanoutChatModel model = model().parallelToolCalls(true).strictTools(true).build();

    ChatResponse response = model.chat(ChatRequest.builder()
        .messages(UserMessage.from("Weather in Paris and Oslo?"))
        .toolSpecifications(WEATHER)
        .toolChoice(ToolChoice.REQUIRED)
        .build());

    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    assertThat(response.aiMessage().text()).isNull();
    assertThat(response.aiMessage().toolExecutionRequests()).containsExactly(
        ToolExecutionRequest.builder().id("call_P").name("get_weather").arguments("{\"city\":\"Paris\"}").build(),
        ToolExecutionRequest.builder().id("call_O").name("get_weather").arguments("{\"city\":\"Oslo\"}").build());

    JsonNode sent = body(take());
    assertThat(sent.get("tools")).isEqualTo(parse("[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        + "\"description\":\"Current weather in a city\",\"parameters\":{\"type\":\"object\","
        + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],\"additionalProperties\":false},"
        + "\"strict\":true}}]"));
    assertThat(sent.get("tool_choice").asText()).isEqualTo("required");
    assertThat(sent.get("parallel_tool_calls").asBoolean()).isTrue();
  }

  @Test
  void aToolRoundTripSendsTheCallsAndTheirResults() throws Exception {
    server.enqueue(json(text("Paris 21 °C, Oslo 9 °C.")));
    AiMessage calls = AiMessage.from(List.of(
        ToolExecutionRequest.builder().id("call_P").name("get_weather").arguments("{\"city\":\"Paris\"}").build(),
        ToolExecutionRequest.builder().id("call_O").name("get_weather").arguments("").build()));

    String answer = model().build().chat(ChatRequest.builder().messages(
            UserMessage.from("Weather in Paris and Oslo?"),
            calls,
            ToolExecutionResultMessage.from("call_P", "get_weather", "{\"celsius\":21}"),
            ToolExecutionResultMessage.from("call_O", "get_weather", "{\"celsius\":9}"))
        .toolSpecifications(WEATHER).build()).aiMessage().text();

    assertThat(answer).isEqualTo("Paris 21 °C, Oslo 9 °C.");
    JsonNode messages = body(take()).get("messages");
    assertThat(messages.get(1)).isEqualTo(parse("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
        + "{\"id\":\"call_P\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
        + "{\"id\":\"call_O\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]}"));
    assertThat(messages.get(2)).isEqualTo(parse("{\"role\":\"tool\",\"tool_call_id\":\"call_P\",\"content\":\"{\\\"celsius\\\":21}\"}"));
    assertThat(messages.get(3).get("tool_call_id").asText()).isEqualTo("call_O");
  }

  @Test
  void aJsonSchemaResponseFormatIsSentAsOpenAiStructuredOutput() throws Exception {
    server.enqueue(json(text("{\"city\":\"Paris\",\"celsius\":21}")));
    ResponseFormat format = ResponseFormat.builder().type(ResponseFormatType.JSON)
        .jsonSchema(JsonSchema.builder().name("weather").rootElement(JsonObjectSchema.builder()
            .addStringProperty("city").addNumberProperty("celsius").required("city", "celsius").build()).build())
        .build();

    ChatResponse response = model().responseFormat(format).strictJsonSchema(true).build()
        .chat(ChatRequest.builder().messages(UserMessage.from("Weather in Paris as JSON")).build());

    assertThat(response.aiMessage().text()).isEqualTo("{\"city\":\"Paris\",\"celsius\":21}");
    assertThat(body(take()).get("response_format")).isEqualTo(parse("{\"type\":\"json_schema\",\"json_schema\":"
        + "{\"name\":\"weather\",\"schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
        + "\"celsius\":{\"type\":\"number\"}},\"required\":[\"city\",\"celsius\"],\"additionalProperties\":false},"
        + "\"strict\":true}}"));
  }

  @Test
  void jsonModeWithoutASchemaIsJsonObject() throws Exception {
    server.enqueue(json(text("{}")));
    model().responseFormat(ResponseFormat.JSON).build().chat("json please");
    assertThat(body(take()).get("response_format")).isEqualTo(parse("{\"type\":\"json_object\"}"));
  }

  @Test
  void aRefusalIsContentFiltered() {
    server.enqueue(json(completion("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't help with that.\"}", "stop")));
    assertThatThrownBy(() -> model().build().chat("forbidden"))
        .isInstanceOf(ContentFilteredException.class).hasMessage("I can't help with that.");
  }

  @Test
  void failuresAreLangChain4jsExceptionTypesWithFanoutsAsCause() {
    FanoutChatModel model = model().build();
    server.enqueue(json(429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}"));
    assertThatThrownBy(() -> model.chat("a"))
        .isInstanceOf(RateLimitException.class)
        .hasMessageStartingWith("HTTP 429")
        .hasMessageNotContaining("sk-secret-key-123")
        .hasCauseInstanceOf(RateLimitedException.class);
    server.enqueue(json(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}"));
    assertThatThrownBy(() -> model.chat("a")).isInstanceOf(AuthenticationException.class)
        .hasMessageNotContaining("sk-secret-key-123");
    server.enqueue(json(404, "{\"error\":{\"message\":\"The model does not exist\"}}"));
    assertThatThrownBy(() -> model.chat("a")).isInstanceOf(ModelNotFoundException.class);
    server.enqueue(json(400, "{\"error\":{\"message\":\"bad\"}}"));
    assertThatThrownBy(() -> model.chat("a")).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void afterTheLastRetryTheLastFailureDecides() {
    try (FanoutClient retrying = client.newBuilder()
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(java.time.Duration.ofMillis(1)).jitter(0).build())
        .build()) {
      server.enqueue(json(503, "{}"));
      server.enqueue(json(500, "{}"));
      FanoutChatModel model = FanoutChatModel.builder().client(retrying).modelName("gpt-4o-mini").build();
      assertThatThrownBy(() -> model.chat("a"))
          .isInstanceOf(InternalServerException.class)
          .satisfies(e -> assertThat(((ServiceException) e.getCause()).statusCode()).isEqualTo(500));
      assertThat(server.getRequestCount()).isEqualTo(2);
    }
  }

  @Test
  void listenersSeeTheRequestAndTheResponseOrTheError() {
    List<String> events = new CopyOnWriteArrayList<>();
    ChatModelListener listener = new ChatModelListener() {
      @Override
      public void onRequest(ChatModelRequestContext context) {
        events.add("request " + context.chatRequest().parameters().modelName());
      }

      @Override
      public void onResponse(ChatModelResponseContext context) {
        events.add("response " + context.chatResponse().aiMessage().text());
      }

      @Override
      public void onError(ChatModelErrorContext context) {
        events.add("error " + context.error().getClass().getSimpleName());
      }
    };
    FanoutChatModel model = model().listeners(List.of(listener)).build();
    server.enqueue(json(text("hello")));
    model.chat("hi");
    server.enqueue(json(429, "{}"));
    assertThatThrownBy(() -> model.chat("hi")).isInstanceOf(RateLimitException.class);
    assertThat(events).containsExactly(
        "request gpt-4o-mini", "response hello", "request gpt-4o-mini", "error RateLimitException");
  }

  @Test
  void unsupportedInputIsNamed() {
    assertThatThrownBy(() -> model().build().chat(ChatRequest.builder().messages(UserMessage.from("x"))
        .parameters(ChatRequestParameters.builder().topK(3).build()).build()))
        .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("topK");
    assertThatThrownBy(() -> model().build().chat(ChatRequest.builder().messages(UserMessage.from("x"),
        AiMessage.from(ToolExecutionRequest.builder().name("legacy").arguments("{}").build())).build()))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("legacy");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void theBuilderNamesTheBadValue() {
    assertThatThrownBy(() -> FanoutChatModel.builder().modelName("m").build())
        .isInstanceOf(NullPointerException.class).hasMessage("client == null");
    assertThatThrownBy(() -> FanoutChatModel.builder().client(client).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("modelName == null");
    assertThatThrownBy(() -> model().temperature(2.5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("temperature not in [0, 2]: 2.5");
    assertThatThrownBy(() -> model().topP(-0.1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("topP not in [0, 1]: -0.1");
    assertThatThrownBy(() -> model().maxTokens(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxTokens < 1: 0");
    assertThatThrownBy(() -> model().maxCompletionTokens(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxCompletionTokens < 1: 0");
    assertThatThrownBy(() -> model().stop("a", "b", "c", "d", "e").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("stop has more than 4 sequences: 5");
    assertThatThrownBy(() -> model().user(" ").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("user is blank: \" \"");
    assertThatThrownBy(() -> model().listeners(java.util.Arrays.asList((ChatModelListener) null)).build())
        .isInstanceOf(NullPointerException.class).hasMessage("listeners[0] == null");
  }
}
