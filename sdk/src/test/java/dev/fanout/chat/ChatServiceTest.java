package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.ServerException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.AutoAdvance;
import dev.fanout.testsupport.Responses;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class ChatServiceTest {
  private static final ChatRequest REQUEST = ChatRequest.builder()
      .model("gpt-test")
      .addSystemMessage("be brief")
      .addUserMessage("hello")
      .temperature(0.2)
      .maxTokens(50)
      .putExtra("logprobs", true)
      .build();

  private final MockWebServer server = new MockWebServer();
  private final AutoAdvance time = new AutoAdvance();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = client("/");
  }

  private FanoutClient client(String basePath) {
    return FanoutClient.builder()
        .baseUrl(server.url(basePath).toString())
        .apiKey("sk-chat")
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).jitter(0).build())
        .clock(time.clock()).streamIdleTimeout(java.time.Duration.ZERO).totalTimeout(java.time.Duration.ZERO)
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
    time.close();
  }

  private static String completionJson(String content) {
    return "{\"id\":\"cmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"gpt-test\","
        + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";
  }

  private static String chunk(String content) {
    return "data: {\"id\":\"cmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000001,\"model\":\"gpt-test\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}\n\n";
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void createsCompletion(boolean async) throws Exception {
    server.enqueue(Responses.json(completionJson("Hi there")));

    ChatCompletion c = async ? HttpEngine.await(client.chat().createAsync(REQUEST)) : client.chat().create(REQUEST);

    assertThat(c.content()).isEqualTo("Hi there");
    assertThat(c.choices()).singleElement().satisfies(ch -> assertThat(ch.finishReason()).isEqualTo(FinishReason.STOP));
    assertThat(c.usage()).hasValueSatisfying(u -> assertThat(u.totalTokens()).isEqualTo(7));
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer sk-chat");
    JsonNode body = new ObjectMapper().readTree(r.getBody().utf8());
    assertThat(body.get("model").asText()).isEqualTo("gpt-test");
    assertThat(body.get("messages")).hasSize(2);
    assertThat(body.get("messages").get(1).get("role").asText()).isEqualTo("user");
    assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
    assertThat(body.get("max_tokens").asInt()).isEqualTo(50);
    assertThat(body.get("logprobs").asBoolean()).isTrue();
    assertThat(body.has("stream")).isFalse();
    assertThat(r.getBody().utf8()).isEqualTo(REQUEST.toJson()); // toJson() is byte for byte what create sends
  }

  @ParameterizedTest(name = "base {0} posts to {1}")
  @CsvSource({
      "/, /v1/chat/completions",
      "/v1, /v1/chat/completions",
      "/v1/, /v1/chat/completions",
      "/openai/v1, /openai/v1/chat/completions",
      "/proxy, /proxy/v1/chat/completions",
  })
  void resolvesTheEndpointUnderTheBaseUrl(String basePath, String expected) throws Exception {
    client.close();
    client = client(basePath);
    server.enqueue(Responses.json(completionJson("ok")));

    client.chat().create(REQUEST);

    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo(expected);
  }

  @Test
  void createIsRetriedOnServerError() {
    server.enqueue(new MockResponse.Builder().code(502).build());
    server.enqueue(Responses.json(completionJson("second time")));

    assertThat(client.chat().create(REQUEST).content()).isEqualTo("second time");
    assertThat(time.delays()).hasSize(1);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void streamsDeltasInOrder(boolean async) throws Exception {
    server.enqueue(sse(
        "data: {\"id\":\"cmpl-2\",\"created\":1700000001,\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
            + chunk("The") + chunk(" quick") + chunk(" brown") + chunk(" fox")
            + "data: {\"id\":\"cmpl-2\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n"));
    List<String> deltas = new CopyOnWriteArrayList<>();

    ChatCompletion c = async
        ? HttpEngine.await(client.chat().streamAsync(REQUEST, deltas::add))
        : client.chat().stream(REQUEST, deltas::add);

    assertThat(deltas).containsExactly("The", " quick", " brown", " fox");
    assertThat(c.content()).isEqualTo("The quick brown fox");
    assertThat(c.id()).isEqualTo("cmpl-2");
    assertThat(c.choices().get(0).finishReason()).isEqualTo(FinishReason.STOP);
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(new ObjectMapper().readTree(r.getBody().utf8()).get("stream").asBoolean()).isTrue();
    String sent = REQUEST.toJson();
    assertThat(r.getBody().utf8()) // the request's body, then the stream's own field
        .isEqualTo(sent.substring(0, sent.length() - 1) + ",\"stream\":true}");
    assertThat(r.getHeaders().get("Accept")).isEqualTo("text/event-stream");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void streamWithoutDoneFails(boolean async) {
    server.enqueue(sse(chunk("partial") + chunk(" answer")));
    List<String> deltas = new CopyOnWriteArrayList<>();

    assertThatThrownBy(() -> {
      if (async) {
        HttpEngine.await(client.chat().streamAsync(REQUEST, deltas::add));
      } else {
        client.chat().stream(REQUEST, deltas::add);
      }
    }).isInstanceOf(DecodeException.class).hasMessageContaining("without [DONE]");
    assertThat(deltas).containsExactly("partial", " answer");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void streamWithGarbageFails() {
    server.enqueue(sse(chunk("ok") + "data: this is not json\n\n" + "data: [DONE]\n\n"));
    List<String> deltas = new CopyOnWriteArrayList<>();

    assertThatThrownBy(() -> client.chat().stream(REQUEST, deltas::add))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("not JSON");
    assertThat(deltas).containsExactly("ok");
  }

  @Test
  void streamWithWrongContentTypeFails() {
    server.enqueue(Responses.json(completionJson("not a stream")));

    assertThatThrownBy(() -> client.chat().stream(REQUEST, d -> { }))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("content-type");
  }

  @Test
  void streamErrorStatusIsTypedAndRetriedBeforeAnyDelta() {
    server.enqueue(new MockResponse.Builder().code(500).body("boom").build());
    server.enqueue(sse(chunk("fine") + "data: [DONE]\n\n"));
    List<String> deltas = new CopyOnWriteArrayList<>();

    assertThat(client.chat().stream(REQUEST, deltas::add).content()).isEqualTo("fine");
    assertThat(deltas).containsExactly("fine");

    server.enqueue(new MockResponse.Builder().code(500).body("boom").build());
    client.close();
    client = FanoutClient.builder().baseUrl(server.url("/").toString()).retryPolicy(RetryPolicy.none()).build();
    assertThatThrownBy(() -> client.chat().stream(REQUEST, d -> { }))
        .isInstanceOf(ServerException.class)
        .hasMessageStartingWith("HTTP 500 Internal Server Error (POST /v1/chat/completions): boom");
  }

  @Test
  void requestBuilderValidates() {
    assertThatThrownBy(() -> ChatRequest.builder().model(" ")).hasMessageContaining("model is blank");
    assertThatThrownBy(() -> ChatRequest.builder().model("m").build()).hasMessage("messages is empty");
    assertThatThrownBy(() -> ChatRequest.builder().temperature(3.0)).hasMessage("temperature not in [0, 2]: 3.0");
    assertThatThrownBy(() -> ChatRequest.builder().maxTokens(0)).hasMessage("maxTokens < 1: 0");
    assertThatThrownBy(() -> ChatRequest.builder().putExtra("stream", true)).hasMessageContaining("stream");
    assertThat(REQUEST.newBuilder().maxTokens(9).build().maxTokens()).isEqualTo(9);
  }
}
