package dev.fanout.langchain4j;

import static dev.fanout.langchain4j.OpenAiWire.body;
import static dev.fanout.langchain4j.OpenAiWire.json;
import static dev.fanout.langchain4j.OpenAiWire.parse;
import static dev.fanout.langchain4j.OpenAiWire.sse;
import static dev.fanout.langchain4j.OpenAiWire.chunk;
import static dev.fanout.langchain4j.OpenAiWire.stream;
import static dev.fanout.langchain4j.OpenAiWire.text;
import static dev.fanout.langchain4j.OpenAiWire.usageChunk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code OpenAiChatModel} users expect beside the options: images in user messages as OpenAI's
 * {@code image_url} parts, {@code customHeaders}, {@code logRequests}/{@code logResponses}, and
 * {@code provider()} {@code OPEN_AI}.
 */
@Timeout(20)
class OpenAiParityTest {
  private static final String KEY = "sk-parity-secret-123";
  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/").toString()).apiKey(KEY)
        .retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private RecordedRequest take() throws InterruptedException {
    return server.takeRequest(5, TimeUnit.SECONDS);
  }

  @Test
  void aUserMessageWithImagesIsSentAsOpenAiContentParts() throws Exception {
    server.enqueue(json(text("A cat.")));
    FanoutChatModel model = FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build();

    ChatResponse response = model.chat(ChatRequest.builder().messages(UserMessage.from(
        TextContent.from("What is in these?"),
        ImageContent.from("https://example.com/cat.png"),
        ImageContent.from("iVBORw0KGgo=", "image/png", ImageContent.DetailLevel.HIGH))).build());

    assertThat(response.aiMessage().text()).isEqualTo("A cat.");
    assertThat(body(take()).get("messages")).isEqualTo(parse("[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"What is in these?\"},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\",\"detail\":\"low\"}},"
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0KGgo=\",\"detail\":\"high\"}}"
        + "]}]"));
  }

  @Test
  void mediaOpenAiChatDoesNotTakeIsRefusedBeforeAnyRequest() {
    FanoutChatModel model = FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build();
    assertThatThrownBy(() -> model.chat(ChatRequest.builder().messages(UserMessage.from(
        TextContent.from("listen"), AudioContent.from("AAAA", "audio/wav"))).build()))
        .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("AUDIO");
    assertThatThrownBy(() -> model.chat(ChatRequest.builder().messages(UserMessage.from(
        ImageContent.from("https://example.com/a.png", ImageContent.DetailLevel.ULTRA_HIGH))).build()))
        .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("ULTRA_HIGH");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void customHeadersGoOnEveryRequestAndTheKeyStaysTheClients() throws Exception {
    server.enqueue(json(text("ok")));
    server.enqueue(stream(sse(chunk("{\"content\":\"ok\"}", null), chunk("{}", "\"stop\""), usageChunk())));
    Map<String, String> headers = Map.of("X-Gateway-Route", "eu", "OpenAI-Organization", "org-1");
    FanoutChatModel model = FanoutChatModel.builder().client(client).modelName("gpt-4o-mini")
        .customHeaders(headers).build();
    FanoutStreamingChatModel streaming = FanoutStreamingChatModel.builder().client(client).modelName("gpt-4o-mini")
        .customHeaders(headers).build();

    model.chat("hi");
    RecordedRequest plain = take();
    CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    streaming.chat("hi", handler(done));
    done.get(5, TimeUnit.SECONDS);
    RecordedRequest streamed = take();

    for (RecordedRequest r : new RecordedRequest[] {plain, streamed}) {
      assertThat(r.getHeaders().get("X-Gateway-Route")).isEqualTo("eu");
      assertThat(r.getHeaders().get("OpenAI-Organization")).isEqualTo("org-1");
      assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
    }
    assertThatThrownBy(() -> FanoutChatModel.builder().client(client).modelName("m")
        .customHeaders(Map.of("Authorization", "Bearer other")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Authorization");
  }

  @Test
  void logRequestsAndLogResponsesLogTheWireJsonWithoutTheKey() throws Exception {
    server.enqueue(json(text("logged answer")));
    server.enqueue(json(text("quiet answer")));
    String logged = captureStderr(() -> {
      FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").logRequests(true).logResponses(true)
          .build().chat("logged question");
      FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build().chat("quiet question");
    });

    assertThat(logged).contains("INFO dev.fanout.langchain4j.FanoutChatModel - request: {\"model\":\"gpt-4o-mini\"")
        .contains("logged question").contains("response: {").contains("logged answer")
        .doesNotContain("quiet").doesNotContain(KEY);
  }

  @Test
  void theProviderIsOpenAiAsForOpenAisModels() {
    assertThat(FanoutChatModel.builder().client(client).modelName("m").build().provider())
        .isEqualTo(ModelProvider.OPEN_AI);
    assertThat(FanoutStreamingChatModel.builder().client(client).modelName("m").build().provider())
        .isEqualTo(ModelProvider.OPEN_AI);
    assertThat(FanoutEmbeddingModel.builder().client(client).modelName("text-embedding-3-small").build().provider())
        .isEqualTo(ModelProvider.OPEN_AI);
  }

  private static StreamingChatResponseHandler handler(CompletableFuture<ChatResponse> done) {
    return new StreamingChatResponseHandler() {
      @Override
      public void onPartialResponse(String partial) {}

      @Override
      public void onCompleteResponse(ChatResponse response) {
        done.complete(response);
      }

      @Override
      public void onError(Throwable error) {
        done.completeExceptionally(error);
      }
    };
  }

  /** slf4j-simple writes to System.err, looked up per line: swap it for the run of {@code body}. */
  private static String captureStderr(Runnable body) {
    PrintStream original = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setErr(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
