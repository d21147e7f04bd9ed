package dev.fanout.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.service.AiServices;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The adapters against the agent-aware mock: an AiServices assistant with tools, structured output, embeddings. */
@Timeout(30)
class AiServicesOnMockTest {
  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.fixed(Duration.ofMillis(20)))
      .build();

  static FanoutClient client;
  static ExecutorService toolPool;

  @BeforeAll
  static void start() {
    client = FanoutClient.builder().baseUrl(backend.url()).build();
    toolPool = Executors.newFixedThreadPool(4);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    toolPool.shutdownNow();
    assertThat(toolPool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    client.close();
  }

  interface Assistant {
    String chat(String message);
  }

  /**
   * A tool that makes its own HTTP call (the mock's search) and waits, before it does, until all
   * {@code expected} calls of the turn have started: run one after another, the first would wait in vain.
   */
  static final class WeatherTools {
    final CountDownLatch allStarted;
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final Set<String> cities = ConcurrentHashMap.newKeySet();

    WeatherTools(int expected) {
      this.allStarted = new CountDownLatch(expected);
    }

    @Tool("Current weather in a city")
    String getWeather(@P("the city") String city) throws InterruptedException {
      threads.add(Thread.currentThread().getName());
      cities.add(city);
      allStarted.countDown();
      if (!allStarted.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other tool calls never started: tools ran one at a time");
      }
      JsonNode hits = client.json().get(
          "search?k=1&q=" + URLEncoder.encode(city, StandardCharsets.UTF_8), JsonNode.class);
      return hits.get("documents").get(0).get("text").asText();
    }
  }

  @Test
  void parallelToolCallsRunConcurrentlyOnTheToolExecutor() {
    WeatherTools tools = new WeatherTools(3);
    Assistant assistant = AiServices.builder(Assistant.class)
        .chatModel(FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build())
        .tools(tools)
        .executeToolsConcurrently(toolPool)
        .build();

    String answer = assistant.chat("What is the weather in Paris, Tokyo and Lima?");

    assertThat(tools.cities).containsExactlyInAnyOrder("Paris", "Tokyo", "Lima");
    assertThat(tools.threads).hasSize(3);
    assertThat(answer).startsWith("Based on the tool results").contains("getWeather");
    // One request for the tool calls, one per tool, one for the final answer.
    assertThat(backend.stats().requests(Routes.SEARCH)).isEqualTo(3);
    assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(2);
  }

  @Test
  void structuredOutputFollowsTheSchema() throws Exception {
    ResponseFormat format = ResponseFormat.builder().type(ResponseFormatType.JSON)
        .jsonSchema(JsonSchema.builder().name("weather").rootElement(JsonObjectSchema.builder()
            .addStringProperty("city").addNumberProperty("celsius").required("city", "celsius").build()).build())
        .build();
    FanoutChatModel model = FanoutChatModel.builder().client(client).modelName("gpt-4o-mini")
        .responseFormat(format).strictJsonSchema(true).build();

    ChatResponse response = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
        .messages(dev.langchain4j.data.message.UserMessage.from("Weather in Paris")).build());

    JsonNode json = OpenAiWire.parse(response.aiMessage().text());
    assertThat(json.get("city").isTextual()).isTrue();
    assertThat(json.get("celsius").isNumber()).isTrue();
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(response.tokenUsage().totalTokenCount()).isPositive();
  }

  @Test
  void embedAllSendsBatchesAndKeepsSegmentOrder() {
    FanoutEmbeddingModel model = FanoutEmbeddingModel.builder().client(client)
        .modelName("text-embedding-3-small").dimensions(64).maxSegmentsPerBatch(2).build();
    List<TextSegment> segments = List.of(
        TextSegment.from("fan-out runs many calls at once"),
        TextSegment.from("a bounded fan-out of many calls"),
        TextSegment.from("bananas are yellow"),
        TextSegment.from("fan-out runs many calls at once"),
        TextSegment.from("deadlines cancel slow calls"));

    Response<List<Embedding>> response = model.embedAll(segments);

    List<Embedding> e = response.content();
    assertThat(e).hasSize(5).allSatisfy(v -> assertThat(v.dimension()).isEqualTo(64));
    assertThat(e.get(3).vectorAsList()).as("same text, same vector, wherever its batch").isEqualTo(e.get(0).vectorAsList());
    assertThat(cosine(e.get(0), e.get(1))).isGreaterThan(cosine(e.get(0), e.get(2)));
    assertThat(backend.stats().requests(Routes.EMBEDDINGS)).isEqualTo(3);
    assertThat(response.tokenUsage().inputTokenCount()).isPositive();
    assertThat(model.dimension()).isEqualTo(64);
    assertThat(backend.stats().requests(Routes.EMBEDDINGS)).as("dimension() known, no test call").isEqualTo(3);
  }

  private static double cosine(Embedding a, Embedding b) {
    float[] x = a.vector();
    float[] y = b.vector();
    double dot = 0;
    double nx = 0;
    double ny = 0;
    for (int i = 0; i < x.length; i++) {
      dot += x[i] * y[i];
      nx += x[i] * x[i];
      ny += y[i] * y[i];
    }
    return dot / Math.sqrt(nx * ny);
  }
}
