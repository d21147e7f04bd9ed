package dev.fanout.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Anthropic chat models against the mock's strict {@code /v1/messages}: plain, tools, streamed, AiServices. */
@Timeout(30)
class AnthropicModelsOnMockTest {
  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.fixed(Duration.ofMillis(20)))
      .build();

  static FanoutClient client;
  static ExecutorService toolPool;

  static final ToolSpecification WEATHER = ToolSpecification.builder().name("get_weather")
      .description("Current weather in a city")
      .parameters(JsonObjectSchema.builder().addStringProperty("city").required("city").build())
      .build();

  @BeforeAll
  static void start() {
    client = FanoutClient.builder().baseUrl(backend.url()).apiKey("sk-ant-test-key").build();
    toolPool = Executors.newFixedThreadPool(4);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    toolPool.shutdownNow();
    assertThat(toolPool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    client.close();
  }

  @Test
  void chatsAndUsesToolsThenAnswersFromTheirResults() {
    FanoutAnthropicChatModel model = FanoutAnthropicChatModel.builder().client(client).modelName("claude-test")
        .maxTokens(300).temperature(0.2).toolSpecifications(WEATHER).build();
    assertThat(model.provider()).isEqualTo(ModelProvider.ANTHROPIC);
    assertThat(model.defaultRequestParameters().maxOutputTokens()).isEqualTo(300);

    UserMessage question = UserMessage.from("Weather in Paris and Tokyo?");
    ChatResponse first = model.chat(ChatRequest.builder()
        .messages(SystemMessage.from("Be brief."), question).build());
    assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    assertThat(first.aiMessage().toolExecutionRequests()).extracting(r -> r.arguments())
        .containsExactly("{\"city\":\"Paris\"}", "{\"city\":\"Tokyo\"}");

    List<ToolExecutionResultMessage> results = first.aiMessage().toolExecutionRequests().stream()
        .map(r -> ToolExecutionResultMessage.from(r, r.arguments().contains("Paris") ? "sunny" : "rain")).toList();
    ChatRequest.Builder next = ChatRequest.builder();
    List<dev.langchain4j.data.message.ChatMessage> conversation = new java.util.ArrayList<>(
        List.of(question, first.aiMessage()));
    conversation.addAll(results);
    ChatResponse answer = model.chat(next.messages(conversation).build());
    assertThat(answer.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(answer.aiMessage().text()).contains("get_weather returned sunny", "get_weather returned rain");
    assertThat(answer.tokenUsage().inputTokenCount()).isPositive();
    assertThat(answer.tokenUsage().outputTokenCount()).isPositive();
  }

  @Test
  void streamsTextAndToolUses() throws Exception {
    FanoutAnthropicStreamingChatModel model = FanoutAnthropicStreamingChatModel.builder().client(client)
        .modelName("claude-test").toolSpecifications(WEATHER).build();
    List<String> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    model.chat(ChatRequest.builder().messages(UserMessage.from("Weather in Lima?")).build(),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            seen.add("text");
          }

          @Override
          public void onPartialToolCall(PartialToolCall partial, PartialToolCallContext context) {
            seen.add("partial " + partial.index() + " " + partial.name());
          }

          @Override
          public void onCompleteToolCall(CompleteToolCall call) {
            seen.add("complete " + call.index() + " " + call.toolExecutionRequest().arguments());
          }

          @Override
          public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            done.completeExceptionally(error);
          }
        });
    ChatResponse response = done.get(10, TimeUnit.SECONDS);
    assertThat(seen).contains("partial 0 get_weather").last().isEqualTo("complete 0 {\"city\":\"Lima\"}");
    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    assertThat(response.aiMessage().toolExecutionRequests()).singleElement()
        .satisfies(r -> assertThat(r.id()).startsWith("toolu_"));

    List<String> text = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatResponse> plain = new CompletableFuture<>();
    FanoutAnthropicStreamingChatModel noTools = FanoutAnthropicStreamingChatModel.builder().client(client)
        .modelName("claude-test").build();
    noTools.chat(ChatRequest.builder().messages(UserMessage.from("Hello there")).build(),
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String partial) {
            text.add(partial);
          }

          @Override
          public void onCompleteResponse(ChatResponse r) {
            plain.complete(r);
          }

          @Override
          public void onError(Throwable error) {
            plain.completeExceptionally(error);
          }
        });
    ChatResponse r = plain.get(10, TimeUnit.SECONDS);
    assertThat(text.size()).isGreaterThan(1);
    assertThat(String.join("", text)).isEqualTo(r.aiMessage().text()).contains("Hello there");
  }

  interface Assistant {
    String chat(String message);
  }

  @Test
  void anAiServicesAssistantRunsItsToolsConcurrently() {
    AiServicesOnMockTest.WeatherTools tools = new AiServicesOnMockTest.WeatherTools(3);
    AiServicesOnMockTest.client = client;
    long before = backend.stats().requests(Routes.MESSAGES);
    Assistant assistant = AiServices.builder(Assistant.class)
        .chatModel(FanoutAnthropicChatModel.builder().client(client).modelName("claude-test").build())
        .tools(tools)
        .executeToolsConcurrently(toolPool)
        .build();

    String answer = assistant.chat("What is the weather in Paris, Tokyo and Lima?");

    assertThat(tools.cities).containsExactlyInAnyOrder("Paris", "Tokyo", "Lima");
    assertThat(tools.threads).hasSize(3);
    assertThat(answer).startsWith("Based on the tool results").contains("getWeather");
    assertThat(backend.stats().requests(Routes.MESSAGES) - before).isEqualTo(2);
  }

  @Test
  void badOptionsNameTheValue() {
    assertThatThrownBy(() -> FanoutAnthropicChatModel.builder().client(client).modelName("m").temperature(1.5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("temperature not in [0, 1]: 1.5");
    assertThatThrownBy(() -> FanoutAnthropicChatModel.builder().client(client).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelName == null");
  }
}
