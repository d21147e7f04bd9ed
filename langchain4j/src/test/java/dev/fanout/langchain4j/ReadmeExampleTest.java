package dev.fanout.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutOptions;
import dev.fanout.langchain4j.FanoutChatModel;
import dev.fanout.langchain4j.FanoutContentRetriever;
import dev.fanout.langchain4j.FanoutEmbeddingModel;
import dev.fanout.langchain4j.FanoutExecutors;
import dev.fanout.langchain4j.FanoutStreamingChatModel;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.AugmentationRequest;
import dev.langchain4j.rag.AugmentationResult;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.RetrievalAugmentor;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Metadata;
import dev.langchain4j.service.AiServices;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The snippets of langchain4j/README.md, run in order against the mock; {@link #everyReadmeLineIsInThisTest()}
 * keeps the two in step.
 */
@Timeout(30)
class ReadmeExampleTest {
  private static final Path README = Path.of("README.md");
  private static final Path SOURCE = Path.of("src/test/java/dev/fanout/langchain4j/ReadmeExampleTest.java");
  /** The deadline recipe runs where the tools are slow. */
  private static final Path RECIPES = Path.of("src/test/java/dev/fanout/langchain4j/FanoutExecutorsTest.java");

  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.builder().delay(Duration.ofMillis(10)).perTokenDelay(Duration.ofMillis(20)).build())
      .build();

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  interface Assistant {
    String chat(String message);
  }

  static final class WeatherTools {
    private final FanoutClient client;

    WeatherTools(FanoutClient client) {
      this.client = client;
    }

    @Tool("Current weather in a city")
    String getWeather(String city) {
      return client.json().get("search?k=1&q=" + URLEncoder.encode(city, StandardCharsets.UTF_8), JsonNode.class)
          .get("documents").get(0).get("text").asText();
    }
  }

  @Test
  void theReadmeSnippetsRun() throws Exception {
    String baseUrl = backend.url();
    String apiKey = "sk-readme";
    CountDownLatch archiveInterrupted = new CountDownLatch(1);
    ContentRetriever handbook = query -> List.of(Content.from("Rotate with two keys."));
    ContentRetriever faq = query -> List.of(Content.from("Both keys stay valid until revoked."));
    ContentRetriever archive = query -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        archiveInterrupted.countDown();
        Thread.currentThread().interrupt();
      }
      return List.of(Content.from("never seen"));
    };

    FanoutClient client = FanoutClient.builder().baseUrl(baseUrl).apiKey(apiKey).build();
    try {
      ChatModel model = FanoutChatModel.builder()
          .client(client)                                      // required; the model does not close it
          .modelName("gpt-4o-mini")                            // required, here or in defaultRequestParameters
          .temperature(0.2)
          .maxTokens(200)
          .build();
      String answer = model.chat("What is fan-out?");
      assertThat(answer).isNotBlank();

      EmbeddingModel embeddings = FanoutEmbeddingModel.builder()
          .client(client)
          .modelName("text-embedding-3-small")
          .dimensions(256)
          .build();
      List<Embedding> vectors = embeddings.embedAll(List.of(
          TextSegment.from("Rotate keys with two keys at once."),
          TextSegment.from("A 429 means too many requests."))).content();
      assertThat(vectors).hasSize(2).allSatisfy(v -> assertThat(v.dimension()).isEqualTo(256));

      backend.backend().reset();
      StreamingChatModel streaming = FanoutStreamingChatModel.builder()
          .client(client).modelName("gpt-4o-mini").build();
      StringBuilder shown = new StringBuilder();
      streaming.chat("Tell me a long story", new StreamingChatResponseHandler() {
        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
          shown.append(partial.text());
          if (shown.length() > 5) {
            context.streamingHandle().cancel();                // closes the HTTP stream; no more callbacks
          }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {}

        @Override
        public void onError(Throwable error) {}
      });
      awaitRequests(Routes.CHAT, 1);
      backend.backend().awaitIdle(Duration.ofSeconds(10));
      assertThat(shown.length()).isGreaterThan(5);

      FanoutContentRetriever sources = FanoutContentRetriever.builder()
          .addRetriever("handbook", handbook)
          .addRetriever("faq", faq)
          .addRetriever("archive", archive)                    // too slow: skipped at the deadline
          .options(FanoutOptions.builder().timeout(Duration.ofSeconds(1)).maxConcurrency(3).build())
          .build();
      RetrievalAugmentor augmentor = DefaultRetrievalAugmentor.builder()
          .contentRetriever(sources)
          .executor(FanoutExecutors.propagating(pool))         // used when a QueryTransformer makes several queries
          .build();
      UserMessage question = UserMessage.from("How do I rotate keys?");
      AugmentationResult augmented = augmentor.augment(
          new AugmentationRequest(question, Metadata.from(question, null, List.of())));
      assertThat(archiveInterrupted.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(augmented.contents()).isNotEmpty()
          .allSatisfy(c -> assertThat(c.textSegment().text()).isNotEqualTo("never seen"));

      backend.backend().reset();
      Assistant assistant = AiServices.builder(Assistant.class)
          .chatModel(model)
          .tools(new WeatherTools(client))                     // each @Tool makes its own Fanout call
          .executeToolsConcurrently(FanoutExecutors.propagating(pool))
          .build();
      String reply = assistant.chat("Weather in Paris, Tokyo and Lima?");   // three tool calls at once
      assertThat(reply).contains("getWeather");
      assertThat(backend.stats().requests(Routes.SEARCH)).isEqualTo(3);
    } finally {
      client.close();
    }
  }

  private static void awaitRequests(String route, long n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (backend.stats().requests(route) < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no " + route + " request: " + backend.stats());
      }
      Thread.sleep(10);
    }
  }

  @Test
  void everyReadmeLineIsInThisTest() throws Exception {
    List<String> snippetLines = new ArrayList<>();
    boolean inJava = false;
    for (String line : Files.readAllLines(README, StandardCharsets.UTF_8)) {
      if (line.startsWith("```")) {
        inJava = !inJava && line.equals("```java");
        continue;
      }
      if (inJava && !line.isBlank()) {
        snippetLines.add(line.strip());
      }
    }
    Set<String> sourceLines = new java.util.HashSet<>();
    for (Path source : List.of(SOURCE, RECIPES)) {
      Files.readAllLines(source, StandardCharsets.UTF_8).forEach(l -> sourceLines.add(l.strip()));
    }

    assertThat(snippetLines).hasSizeGreaterThan(50);
    assertThat(snippetLines).allSatisfy(l -> assertThat(sourceLines).as("README line in this test").contains(l));
  }
}
