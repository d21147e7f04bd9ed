package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutesTest {
  /** The engine under test: MockWebServer here, Netty in {@link RoutesNettyTest}. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend.Builder builder() {
    return MockBackend.builder().engine(engine());
  }

  MockBackend backend;
  OkHttpClient client;

  @BeforeAll
  void start() {
    backend = builder().latency(Latency.none()).start();
    client = Http.client(64);
  }

  @AfterAll
  void stop() {
    Http.shutdown(client);
    backend.close();
  }

  @Test
  void urlHasNoTrailingSlash() {
    assertThat(backend.url()).matches("http://127\\.0\\.0\\.1:\\d+").endsWith(":" + backend.port());
  }

  @Test
  void userIsDeterministicFromId() throws IOException {
    Http.Result a = Http.get(client, backend.url() + "/users/7");
    Http.Result b = Http.get(client, backend.url() + "/users/7");
    assertThat(a.code()).isEqualTo(200);
    assertThat(a.contentType()).startsWith("application/json");
    JsonNode user = a.json();
    assertThat(user.get("id").asLong()).isEqualTo(7);
    assertThat(user.get("name").asText()).matches("\\S+ \\S+");
    assertThat(user.get("email").asText()).endsWith("7@example.com");
    assertThat(a.body()).isEqualTo(b.body());
    assertThat(Http.get(client, backend.url() + "/users/8").body()).isNotEqualTo(a.body());
  }

  @Test
  void chatCompletionHasOpenAiShape() throws IOException {
    String request = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
        + "{\"role\":\"user\",\"content\":\"What is fan-out?\"}]}";
    Http.Result r = Http.post(client, backend.url() + "/v1/chat/completions", request);
    assertThat(r.code()).isEqualTo(200);
    JsonNode c = r.json();
    assertThat(c.get("id").asText()).startsWith("chatcmpl-");
    assertThat(c.get("object").asText()).isEqualTo("chat.completion");
    assertThat(c.get("created").isIntegralNumber()).isTrue();
    assertThat(c.get("model").asText()).isEqualTo("gpt-4o-mini");
    assertThat(c.has("system_fingerprint")).isTrue();
    JsonNode choice = c.get("choices").get(0);
    assertThat(choice.get("index").asInt()).isZero();
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").asText()).contains("What is fan-out?");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    JsonNode usage = c.get("usage");
    assertThat(usage.get("prompt_tokens").asLong()).isPositive();
    assertThat(usage.get("completion_tokens").asLong()).isPositive();
    assertThat(usage.get("total_tokens").asLong())
        .isEqualTo(usage.get("prompt_tokens").asLong() + usage.get("completion_tokens").asLong());
    // Deterministic from the messages.
    String again = Http.post(client, backend.url() + "/v1/chat/completions", request).json()
        .get("choices").get(0).get("message").get("content").asText();
    assertThat(again).isEqualTo(choice.get("message").get("content").asText());
  }

  @Test
  void maxTokensTruncatesWithFinishReasonLength() throws IOException {
    JsonNode c = Http.post(client, backend.url() + "/v1/chat/completions",
        "{\"model\":\"m\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}").json();
    assertThat(c.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
    assertThat(c.get("usage").get("completion_tokens").asLong()).isEqualTo(3);
  }

  @Test
  void streamedChatIsServerSentEventsEndingWithDone() throws IOException {
    String request = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"stream me\"}]}";
    Request call = new Request.Builder().url(backend.url() + "/v1/chat/completions")
        .post(RequestBody.create(request, Http.JSON_TYPE)).build();
    List<String> lines = new ArrayList<>();
    try (Response r = client.newCall(call).execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("text/event-stream");
      BufferedReader reader = new BufferedReader(new InputStreamReader(r.body().byteStream(), StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) lines.add(line);
    }
    // Framing: "data: ..." then a blank line, for every event.
    for (int i = 0; i < lines.size(); i += 2) {
      assertThat(lines.get(i)).startsWith("data: ");
      assertThat(lines.get(i + 1)).isEmpty();
    }
    List<String> data = new ArrayList<>();
    for (String line : lines) if (!line.isEmpty()) data.add(line.substring("data: ".length()));
    assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
    JsonNode first = Http.JSON.readTree(data.get(0));
    assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(first.get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
    StringBuilder content = new StringBuilder();
    String finish = null;
    for (String d : data.subList(0, data.size() - 2)) {
      JsonNode chunk = Http.JSON.readTree(d);
      assertThat(chunk.get("id").asText()).isEqualTo(first.get("id").asText());
      JsonNode choice = chunk.get("choices").get(0);
      content.append(choice.get("delta").path("content").asText(""));
      if (!choice.get("finish_reason").isNull()) finish = choice.get("finish_reason").asText();
    }
    assertThat(finish).isEqualTo("stop");
    JsonNode usageChunk = Http.JSON.readTree(data.get(data.size() - 2));
    assertThat(usageChunk.get("choices")).isEmpty();
    assertThat(usageChunk.get("usage").get("completion_tokens").asLong()).isPositive();
    // The streamed text equals the non-streamed one.
    String plain = Http.post(client, backend.url() + "/v1/chat/completions",
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"stream me\"}]}").json()
        .get("choices").get(0).get("message").get("content").asText();
    assertThat(content.toString()).isEqualTo(plain);
  }

  @Test
  void modelsListHasOpenAiShape() throws IOException {
    JsonNode list = Http.get(client, backend.url() + "/v1/models").json();
    assertThat(list.get("object").asText()).isEqualTo("list");
    assertThat(list.get("data")).isNotEmpty();
    for (JsonNode m : list.get("data")) {
      assertThat(m.get("id").asText()).isNotBlank();
      assertThat(m.get("object").asText()).isEqualTo("model");
      assertThat(m.get("created").isIntegralNumber()).isTrue();
      assertThat(m.get("owned_by").asText()).isNotBlank();
    }
    String id = list.get("data").get(0).get("id").asText();
    assertThat(Http.get(client, backend.url() + "/v1/models/" + id).json().get("id").asText()).isEqualTo(id);
  }

  @Test
  void searchReturnsKScoredDocuments() throws IOException {
    JsonNode r = Http.get(client, backend.url() + "/search?q=tail%20latency&k=4").json();
    assertThat(r.get("query").asText()).isEqualTo("tail latency");
    JsonNode docs = r.get("documents");
    assertThat(docs).hasSize(4);
    double previous = 1.0;
    for (JsonNode d : docs) {
      assertThat(d.get("id").asText()).startsWith("doc-");
      assertThat(d.get("text").asText()).contains("tail latency");
      assertThat(d.get("score").asDouble()).isBetween(0.0, previous);
      previous = d.get("score").asDouble();
    }
    assertThat(Http.get(client, backend.url() + "/search?q=x").json().get("documents"))
        .hasSize(dev.fanout.mock.internal.SearchDispatcher.DEFAULT_K);
  }

  @Test
  void adminStatsAndReset() throws IOException {
    Http.get(client, backend.url() + "/users/1");
    JsonNode stats = Http.get(client, backend.url() + "/__admin/stats").json();
    assertThat(stats.get("requests").get("users").asLong()).isPositive();
    assertThat(stats.has("maxInFlight")).isTrue();
    assertThat(stats.get("faults").has("error5xx")).isTrue();
    assertThat(Http.post(client, backend.url() + "/__admin/reset", "{}").code()).isEqualTo(200);
    assertThat(backend.stats().requests("users")).isZero();
    assertThat(backend.stats().requests("admin")).isZero();
  }

  @ParameterizedTest(name = "{0} {1} -> {3}")
  @CsvSource(delimiter = '|', value = {
      "GET    | /users/abc              |                                                 | 400",
      "GET    | /users/0                |                                                 | 404",
      "GET    | /users/-3               |                                                 | 404",
      "GET    | /users/1/extra          |                                                 | 404",
      "DELETE | /users/1                |                                                 | 405",
      "POST   | /v1/chat/completions    | {not json                                       | 400",
      "POST   | /v1/chat/completions    | {\"model\":\"m\"}                               | 400",
      "POST   | /v1/chat/completions    | {\"messages\":\"hi\"}                           | 400",
      "POST   | /v1/chat/completions    | {\"messages\":[]}                               | 400",
      "POST   | /v1/chat/completions    | {\"messages\":[{\"role\":\"wizard\"}]}          | 400",
      "POST   | /v1/chat/completions    | {\"messages\":[{\"role\":\"user\",\"content\":5}]} | 400",
      "POST   | /v1/chat/completions    | {\"messages\":[{\"role\":\"user\"}],\"stream\":\"yes\"} | 400",
      "POST   | /v1/chat/completions    | {\"messages\":[{\"role\":\"user\"}],\"model\":7} | 400",
      "POST   | /v1/chat/completions    | [1,2]                                           | 400",
      "GET    | /v1/chat/completions    |                                                 | 405",
      "GET    | /v1/models/no-such-model |                                                | 404",
      "GET    | /search                 |                                                 | 400",
      "GET    | /search?q=a&k=0         |                                                 | 400",
      "GET    | /search?q=a&k=many      |                                                 | 400",
      "GET    | /nope                   |                                                 | 404",
      "GET    | /                       |                                                 | 404",
      "POST   | /__admin/stats          | {}                                              | 405",
      "GET    | /__admin/nothing        |                                                 | 404",
  })
  void badRequestGetsJsonError(String method, String path, String body, int status) throws IOException {
    RequestBody requestBody = body == null ? (method.equals("POST") ? RequestBody.create("", Http.JSON_TYPE) : null)
        : RequestBody.create(body, Http.JSON_TYPE);
    Http.Result r = Http.execute(client, new Request.Builder().url(backend.url() + path).method(method, requestBody).build());
    assertThat(r.code()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/json");
    JsonNode error = r.json().get("error");
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").asText()).isNotBlank();
  }

  @Test
  void hugeBodyIs413AndServerKeepsServing() throws IOException {
    byte[] huge = new byte[(int) MockBackend.DEFAULT_MAX_BODY_BYTES + 10];
    java.util.Arrays.fill(huge, (byte) 'a');
    Http.Result r = Http.execute(client, new Request.Builder().url(backend.url() + "/v1/chat/completions")
        .post(RequestBody.create(huge, Http.JSON_TYPE)).build());
    assertThat(r.code()).isEqualTo(413);
    assertThat(r.json().get("error").get("message").asText()).contains("too large");
    assertThat(Http.get(client, backend.url() + "/users/1").code()).isEqualTo(200);
  }

  @Test
  void recordsRequestsBoundedForTakeRequest() throws Exception {
    backend.reset();
    Http.get(client, backend.url() + "/users/42");
    ReceivedRequest r = backend.takeRequest(1, TimeUnit.SECONDS);
    assertThat(r).isNotNull();
    assertThat(r.path()).isEqualTo("/users/42");
  }
}
