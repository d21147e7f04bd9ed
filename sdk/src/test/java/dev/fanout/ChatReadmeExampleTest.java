package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatMessage;
import dev.fanout.chat.ChatRequest;
import dev.fanout.chat.FinishReason;
import dev.fanout.chat.ResponseFormat;
import dev.fanout.chat.Tool;
import dev.fanout.chat.ToolCall;
import dev.fanout.embeddings.EmbeddingRequest;
import dev.fanout.embeddings.EmbeddingResponse;
import dev.fanout.testsupport.Responses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The snippets of sdk/README.md's "Chat, tools and embeddings" section, run against scripted OpenAI
 * responses; {@link #everyReadmeLineIsInThisTest()} keeps the two in step.
 */
@Timeout(20)
class ChatReadmeExampleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path README = Path.of("README.md");
  private static final Path SOURCE = Path.of("src/test/java/dev/fanout/ChatReadmeExampleTest.java");

  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  record Weather(String city, double celsius) {}

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/v1").toString()).apiKey("sk-readme").build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private static String lookUpWeather(String city) {
    return "{\"city\":\"" + city + "\",\"celsius\":" + (city.equals("Paris") ? 18 : 7) + "}";
  }

  private static String completion(String message, String finishReason) {
    return "{\"id\":\"chatcmpl-r\",\"object\":\"chat.completion\",\"created\":1747000000,\"model\":\"gpt-4o-mini\","
        + "\"choices\":[{\"index\":0,\"message\":" + message + ",\"logprobs\":null,\"finish_reason\":\"" + finishReason
        + "\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":10,\"total_tokens\":30}}";
  }

  private static String text(String content) {
    return "{\"role\":\"assistant\",\"content\":" + JSON.valueToTree(content) + ",\"refusal\":null}";
  }

  private static String call(String id, String city) {
    return "{\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        + "\"arguments\":" + JSON.valueToTree("{\"city\":\"" + city + "\"}") + "}}";
  }

  @Test
  void chatToolsStructuredOutputStreamsAndEmbeddings() throws Exception {
    server.enqueue(Responses.json(completion(text("Many calls at once."), "stop")));
    server.enqueue(Responses.json(completion("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
        + call("call_P", "Paris") + "," + call("call_O", "Oslo") + "]}", "tool_calls")));
    server.enqueue(Responses.json(completion(text("Paris 18 °C, Oslo 7 °C."), "stop")));
    server.enqueue(Responses.json(completion(text("{\"city\":\"Paris\",\"celsius\":18.5}"), "stop")));
    server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Many\"},\"finish_reason\":null}],\"usage\":null}\n\n"
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" calls\"},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
            + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":2,\"total_tokens\":22}}\n\n"
            + "data: [DONE]\n\n").build());
    server.enqueue(Responses.json("{\"object\":\"list\",\"model\":\"text-embedding-3-small\",\"data\":["
        + "{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.6,0.8]},"
        + "{\"object\":\"embedding\",\"index\":0,\"embedding\":[1.0,0.0]}],\"usage\":{\"prompt_tokens\":9,\"total_tokens\":9}}"));
    JsonNode weatherSchema = JSON.readTree(
        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"celsius\":{\"type\":\"number\"}},"
            + "\"required\":[\"city\",\"celsius\"],\"additionalProperties\":false}");

    // --- README: A chat request ---
    ChatRequest request = ChatRequest.builder()
        .model("gpt-4o-mini")
        .addSystemMessage("Answer in one sentence.")
        .addUserMessage("What is fan-out?")
        .temperature(0.2)
        .maxCompletionTokens(100)
        .build();
    ChatCompletion answer = client.chat().create(request);
    String text = answer.content();                          // the first choice; choices() has all n
    boolean complete = answer.finishReason() == FinishReason.STOP;
    int tokens = answer.usage().map(u -> u.totalTokens()).orElse(0);
    // --- end ---
    assertThat(text).isEqualTo("Many calls at once.");
    assertThat(complete).isTrue();
    assertThat(tokens).isEqualTo(30);

    // --- README: A tool call round trip ---
    Tool weather = Tool.function("get_weather", "Current weather in a city",
        Map.of("type", "object",
            "properties", Map.of("city", Map.of("type", "string")),
            "required", List.of("city"),
            "additionalProperties", false),
        true);                                               // strict: arguments follow the schema
    ChatRequest ask = ChatRequest.builder().model("gpt-4o-mini")
        .addUserMessage("Weather in Paris and Oslo?").addTool(weather).build();
    ChatCompletion turn = client.chat().create(ask);         // finishReason() == TOOL_CALLS
    ChatRequest.Builder next = ask.newBuilder().addMessage(turn.message());
    for (ToolCall call : turn.toolCalls()) {                 // parallel calls: one per city
      String city = call.argumentsJson().get("city").asText();
      next.addMessage(ChatMessage.tool(call.id(), lookUpWeather(city)));
    }
    String reply = client.chat().create(next.build()).content();
    // --- end ---
    assertThat(turn.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(reply).isEqualTo("Paris 18 °C, Oslo 7 °C.");

    // --- README: Structured output, and streams ---
    ChatCompletion json = client.chat().create(ChatRequest.builder().model("gpt-4o-mini")
        .addUserMessage("Weather in Paris, as JSON")
        .responseFormat(ResponseFormat.jsonSchema("weather", weatherSchema, true))
        .build());
    Weather parsed = json.parse(Weather.class);              // DecodeException names what is wrong

    StringBuilder shown = new StringBuilder();
    ChatCompletion streamed = client.chat().stream(
        request.newBuilder().streamUsage(true).build(),      // stream_options.include_usage
        shown::append);                                      // text deltas of the first choice
    // --- end ---
    assertThat(parsed).isEqualTo(new Weather("Paris", 18.5));
    assertThat(shown).hasToString("Many calls");
    assertThat(streamed.usage().orElseThrow().totalTokens()).isEqualTo(22);

    // --- README: An embedding ---
    EmbeddingResponse vectors = client.embeddings().create(EmbeddingRequest.builder()
        .model("text-embedding-3-small")
        .input(List.of("What is fan-out?", "Many calls at once"))
        .build());
    float[] first = vectors.embedding(0).vector();           // in input order, whatever the server's order
    double similarity = vectors.embedding(0).cosine(vectors.embedding(1));
    // --- end ---
    assertThat(first).containsExactly(1.0f, 0.0f);
    assertThat(similarity).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-6));

    // What went over the wire, in order.
    List<JsonNode> bodies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      bodies.add(JSON.readTree(server.takeRequest(5, TimeUnit.SECONDS).getBody().utf8()));
    }
    assertThat(bodies.get(0).get("max_completion_tokens").asInt()).isEqualTo(100);
    assertThat(bodies.get(1).get("tools").get(0).get("function").get("strict").asBoolean()).isTrue();
    JsonNode results = bodies.get(2).get("messages");
    assertThat(results).hasSize(4);
    assertThat(results.get(2).get("tool_call_id").asText()).isEqualTo("call_P");
    assertThat(results.get(3).get("content").asText()).isEqualTo(lookUpWeather("Oslo"));
    assertThat(bodies.get(3).get("response_format").get("type").asText()).isEqualTo("json_schema");
    assertThat(bodies.get(4).get("stream_options").get("include_usage").asBoolean()).isTrue();
    assertThat(bodies.get(5).get("input")).hasSize(2);
  }

  /** Every line of the README section's Java snippets is a line of this file, so the README compiles. */
  @Test
  void everyReadmeLineIsInThisTest() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int start = readme.indexOf("## Chat, tools and embeddings");
    assertThat(start).as("README section").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<String> snippetLines = new ArrayList<>();
    boolean inJava = false;
    for (String line : section.split("\n")) {
      if (line.startsWith("```")) {
        inJava = !inJava && line.equals("```java");
        continue;
      }
      if (inJava && !line.isBlank()) {
        snippetLines.add(line.strip());
      }
    }
    Set<String> sourceLines = Files.readAllLines(SOURCE, StandardCharsets.UTF_8).stream()
        .map(String::strip).collect(Collectors.toSet());

    assertThat(snippetLines).hasSizeGreaterThan(40);
    assertThat(snippetLines).allSatisfy(l -> assertThat(sourceLines).as("README line in this test").contains(l));
  }
}
