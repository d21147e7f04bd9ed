package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/** The agent-aware chat route (tools, structured output, n, streamed tool calls) and embeddings, OpenAI-strict. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiRoutesTest {
  static final String CHAT = "/v1/chat/completions";
  static final String EMBEDDINGS = "/v1/embeddings";
  static final String WEATHER = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Current "
      + "weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},\"unit\":"
      + "{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},\"days\":{\"type\":\"integer\",\"minimum\":1},"
      + "\"note\":{\"type\":\"string\"}},\"required\":[\"city\",\"unit\",\"days\"]}}}";
  static final String TIME = "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":{\"type\":"
      + "\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}";
  static final String USER = "{\"type\":\"function\",\"function\":{\"name\":\"lookup_user\",\"parameters\":{\"type\":"
      + "\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"verbose\":{\"type\":\"boolean\"}},"
      + "\"required\":[\"id\",\"verbose\"]}}}";

  /** The engine under test: MockWebServer here, Netty in {@link OpenAiRoutesNettyTest}. */
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }

  MockBackend backend;
  OkHttpClient client;

  @BeforeAll
  void start() {
    backend = MockBackend.builder().engine(engine()).latency(Latency.none()).start();
    client = Http.client(16);
  }

  @AfterAll
  void stop() {
    Http.shutdown(client);
    backend.close();
  }

  Http.Result post(String path, String json) throws IOException {
    return Http.post(client, backend.url() + path, json);
  }

  static String user(String text) {
    return "[{\"role\":\"user\",\"content\":\"" + text + "\"}]";
  }

  @Test
  void missingModelIs400NamingModel() throws IOException {
    Http.Result r = post(CHAT, "{\"messages\":" + user("hi") + "}");
    assertThat(r.code()).isEqualTo(400);
    JsonNode error = r.json().get("error");
    assertThat(error.get("param").asText()).isEqualTo("model");
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.get("code").asText()).isEqualTo("missing_required_parameter");
    assertThat(post(EMBEDDINGS, "{\"input\":\"hi\"}").json().get("error").get("param").asText()).isEqualTo("model");
  }

  @ParameterizedTest(name = "n = {0} -> {1} {2}")
  @CsvSource({"0, 400, integer_below_min_value", "-1, 400, integer_below_min_value",
      "-4294967297, 400, integer_below_min_value", "129, 400, integer_above_max_value",
      "4294967297, 400, integer_above_max_value", "1.5, 400,", "1, 200,", "3, 200,", "128, 200,"})
  void nIsOneTo128(String n, int status, String code) throws IOException {
    Http.Result r = post(CHAT, "{\"model\":\"m\",\"n\":" + n + ",\"messages\":" + user("pick one") + "}");
    assertThat(r.code()).isEqualTo(status);
    if (status == 400) {
      JsonNode error = r.json().get("error");
      assertThat(error.get("param").asText()).isEqualTo("n");
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("message").asText()).contains(n);
      // OpenAI's codes for a value out of range, which its clients expose (openai-java's code())
      if (code != null) assertThat(error.get("code").asText()).isEqualTo(code);
      return;
    }
    JsonNode choices = r.json().get("choices");
    assertThat(choices).hasSize(Integer.parseInt(n));
    for (int i = 0; i < choices.size(); i++) assertThat(choices.get(i).get("index").asInt()).isEqualTo(i);
    long one = post(CHAT, "{\"model\":\"m\",\"messages\":" + user("pick one") + "}").json()
        .get("usage").get("completion_tokens").asLong();
    assertThat(r.json().get("usage").get("completion_tokens").asLong()).isEqualTo(one * choices.size());
    if (choices.size() > 1) {
      assertThat(choices.get(1).get("message").get("content").asText())
          .isNotEqualTo(choices.get(0).get("message").get("content").asText());
    }
  }

  @Test
  void toolsAndALastUserMessageGetADeterministicToolCall() throws IOException {
    String request = "{\"model\":\"gpt-4o-mini\",\"tools\":[" + WEATHER + "],\"messages\":"
        + user("What is the weather in Paris?") + "}";
    JsonNode c = post(CHAT, request).json();
    JsonNode choice = c.get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode message = choice.get("message");
    assertThat(message.get("content").isNull()).isTrue();
    assertThat(message.get("tool_calls")).hasSize(1);
    JsonNode call = message.get("tool_calls").get(0);
    assertThat(call.get("id").asText()).startsWith("call_");
    assertThat(call.get("type").asText()).isEqualTo("function");
    assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
    assertThat(call.get("function").get("arguments").isTextual()).isTrue();
    JsonNode args = Http.JSON.readTree(call.get("function").get("arguments").asText());
    assertThat(args.get("city").asText()).isEqualTo("Paris");
    assertThat(args.get("unit").asText()).isEqualTo("celsius"); // the enum's first value
    assertThat(args.get("days").asInt()).isEqualTo(1); // the minimum
    assertThat(args.has("note")).isFalse(); // not required
    // Deterministic: the same request gets the same calls, ids included.
    assertThat(post(CHAT, request).json().get("choices").get(0).get("message").get("tool_calls"))
        .isEqualTo(message.get("tool_calls"));
  }

  @Test
  void severalThingsNamedGiveParallelCallsUnlessTurnedOff() throws IOException {
    String tools = "\"tools\":[" + WEATHER + "]";
    JsonNode calls = post(CHAT, "{\"model\":\"m\"," + tools + ",\"messages\":"
        + user("What is the weather in Paris, Tokyo and Lima?") + "}").json()
        .get("choices").get(0).get("message").get("tool_calls");
    assertThat(calls).hasSize(3);
    List<String> cities = new ArrayList<>();
    for (JsonNode call : calls) cities.add(Http.JSON.readTree(call.get("function").get("arguments").asText()).get("city").asText());
    assertThat(cities).containsExactly("Paris", "Tokyo", "Lima");
    assertThat(calls.findValuesAsText("id")).doesNotHaveDuplicates();

    JsonNode one = post(CHAT, "{\"model\":\"m\"," + tools + ",\"parallel_tool_calls\":false,\"messages\":"
        + user("What is the weather in Paris, Tokyo and Lima?") + "}").json()
        .get("choices").get(0).get("message").get("tool_calls");
    assertThat(one).hasSize(1);

    // Several tools fit: one call each, in the order the message names them.
    JsonNode both = post(CHAT, "{\"model\":\"m\",\"tools\":[" + WEATHER + "," + TIME + "],\"messages\":"
        + user("What time is it in Oslo and the weather in Rome?") + "}").json()
        .get("choices").get(0).get("message").get("tool_calls");
    assertThat(both.findValuesAsText("name")).containsExactly("get_time", "get_weather");
    assertThat(Http.JSON.readTree(both.get(0).get("function").get("arguments").asText()).get("city").asText()).isEqualTo("Oslo");
    assertThat(Http.JSON.readTree(both.get(1).get("function").get("arguments").asText()).get("city").asText()).isEqualTo("Rome");
  }

  @Test
  void toolChoiceNoneRequiredAndNamed() throws IOException {
    String tools = "\"tools\":[" + WEATHER + "," + USER + "]";
    JsonNode none = post(CHAT, "{\"model\":\"m\"," + tools + ",\"tool_choice\":\"none\",\"messages\":"
        + user("weather in Paris") + "}").json().get("choices").get(0);
    assertThat(none.get("finish_reason").asText()).isEqualTo("stop");
    assertThat(none.get("message").has("tool_calls")).isFalse();

    JsonNode named = post(CHAT, "{\"model\":\"m\"," + tools + ",\"tool_choice\":{\"type\":\"function\",\"function\":"
        + "{\"name\":\"lookup_user\"}},\"messages\":" + user("tell me about user 42") + "}").json()
        .get("choices").get(0).get("message").get("tool_calls");
    assertThat(named).hasSize(1);
    JsonNode args = Http.JSON.readTree(named.get(0).get("function").get("arguments").asText());
    assertThat(args.get("id").asLong()).isEqualTo(42);
    assertThat(args.get("verbose").asBoolean()).isTrue();

    // required calls a tool even when the last message is not the user's.
    String afterAnswer = "[{\"role\":\"user\",\"content\":\"weather in Paris\"},{\"role\":\"assistant\",\"content\":\"Sunny.\"}]";
    assertThat(post(CHAT, "{\"model\":\"m\"," + tools + ",\"tool_choice\":\"required\",\"messages\":" + afterAnswer + "}")
        .json().get("choices").get(0).get("finish_reason").asText()).isEqualTo("tool_calls");
    assertThat(post(CHAT, "{\"model\":\"m\"," + tools + ",\"messages\":" + afterAnswer + "}")
        .json().get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");

    Http.Result unknown = post(CHAT, "{\"model\":\"m\"," + tools + ",\"tool_choice\":{\"type\":\"function\",\"function\":"
        + "{\"name\":\"nope\"}},\"messages\":" + user("hi") + "}");
    assertThat(unknown.code()).isEqualTo(400);
    assertThat(unknown.json().get("error").get("param").asText()).isEqualTo("tool_choice");
    Http.Result withoutTools = post(CHAT, "{\"model\":\"m\",\"tool_choice\":\"auto\",\"messages\":" + user("hi") + "}");
    assertThat(withoutTools.code()).isEqualTo(400);
    assertThat(withoutTools.json().get("error").get("param").asText()).isEqualTo("tool_choice");
  }

  @Test
  void toolResultsGetAFinalAnswerThatUsesThem() throws IOException {
    String first = "{\"model\":\"m\",\"tools\":[" + WEATHER + "],\"messages\":" + user("Weather in Paris and Lima?") + "}";
    JsonNode calls = post(CHAT, first).json().get("choices").get(0).get("message").get("tool_calls");
    assertThat(calls).hasSize(2);
    ObjectNode next = (ObjectNode) Http.JSON.readTree(first);
    ObjectNode assistant = next.withArray("messages").addObject();
    assistant.put("role", "assistant");
    assistant.putNull("content");
    assistant.set("tool_calls", calls);
    for (JsonNode call : calls) {
      String city = Http.JSON.readTree(call.get("function").get("arguments").asText()).get("city").asText();
      ObjectNode result = next.withArray("messages").addObject();
      result.put("role", "tool");
      result.put("tool_call_id", call.get("id").asText());
      result.put("content", "{\"city\":\"" + city + "\",\"celsius\":" + city.length() + "}");
    }
    JsonNode choice = post(CHAT, next.toString()).json().get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    assertThat(choice.get("message").get("content").asText())
        .contains("get_weather returned {\"city\":\"Paris\",\"celsius\":5}")
        .contains("get_weather returned {\"city\":\"Lima\",\"celsius\":4}");

    // A missing result, and a result for no call, are 400s as on OpenAI.
    ObjectNode missing = next.deepCopy();
    missing.withArray("messages").remove(missing.withArray("messages").size() - 1);
    Http.Result r = post(CHAT, missing.toString());
    assertThat(r.code()).isEqualTo(400);
    assertThat(r.json().get("error").get("message").asText()).contains(calls.get(1).get("id").asText());
    Http.Result orphan = post(CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"y\"}]}");
    assertThat(orphan.code()).isEqualTo(400);
    assertThat(orphan.json().get("error").get("message").asText()).contains("must be a response to a preceeding message");
  }

  @Test
  void jsonSchemaResponseFormatValidates() throws IOException {
    String schema = "{\"type\":\"object\",\"properties\":{\"title\":{\"type\":\"string\",\"maxLength\":10},"
        + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":2},"
        + "\"score\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
        + "\"kind\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]},"
        + "\"when\":{\"type\":\"string\",\"format\":\"date\"},"
        + "\"owner\":{\"$ref\":\"#/$defs/person\"},"
        + "\"maybe\":{\"anyOf\":[{\"type\":\"null\"},{\"type\":\"integer\"}]}},"
        + "\"required\":[\"title\",\"tags\",\"score\",\"kind\",\"when\",\"owner\",\"maybe\"],"
        + "\"additionalProperties\":false,"
        + "\"$defs\":{\"person\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
        + "\"age\":{\"type\":\"integer\"}},\"required\":[\"name\",\"age\"],\"additionalProperties\":false}}}";
    String request = "{\"model\":\"m\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"card\","
        + "\"strict\":true,\"schema\":" + schema + "}},\"messages\":" + user("Summarise the release notes") + "}";
    JsonNode choice = post(CHAT, request).json().get("choices").get(0);
    assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
    JsonNode card = Http.JSON.readTree(choice.get("message").get("content").asText());
    assertThat(fieldNames(card)).containsExactly("title", "tags", "score", "kind", "when", "owner", "maybe");
    assertThat(card.get("title").asText()).hasSizeLessThanOrEqualTo(10).isEqualTo("Summarise ");
    assertThat(card.get("tags")).hasSize(2);
    assertThat(card.get("score").isNumber()).isTrue();
    assertThat(card.get("score").asDouble()).isBetween(0.0, 1.0);
    assertThat(card.get("kind").asText()).isEqualTo("a");
    assertThat(card.get("when").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
    assertThat(fieldNames(card.get("owner"))).containsExactly("name", "age");
    assertThat(card.get("owner").get("age").isIntegralNumber()).isTrue();
    assertThat(card.get("maybe").isIntegralNumber()).isTrue();

    JsonNode object = post(CHAT, "{\"model\":\"m\",\"response_format\":{\"type\":\"json_object\"},\"messages\":"
        + user("Answer in JSON please") + "}").json();
    assertThat(Http.JSON.readTree(object.get("choices").get(0).get("message").get("content").asText()).isObject()).isTrue();
    Http.Result noJsonWord = post(CHAT, "{\"model\":\"m\",\"response_format\":{\"type\":\"json_object\"},\"messages\":"
        + user("hi") + "}");
    assertThat(noJsonWord.code()).isEqualTo(400);
    assertThat(noJsonWord.json().get("error").get("message").asText()).contains("must contain the word 'json'");
  }

  static final List<String> SCHEMAS = List.of(
      "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"minLength\":40}},\"required\":[\"a\"],"
          + "\"additionalProperties\":false}",
      "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":10,\"maximum\":20},"
          + "\"x\":{\"type\":\"number\",\"exclusiveMinimum\":0},\"ok\":{\"type\":\"boolean\"},"
          + "\"none\":{\"type\":\"null\"},\"c\":{\"const\":\"fixed\"}},"
          + "\"required\":[\"n\",\"x\",\"ok\",\"none\",\"c\"],\"additionalProperties\":false}",
      "{\"type\":\"object\",\"properties\":{\"items\":{\"type\":\"array\",\"minItems\":3,\"maxItems\":3,"
          + "\"items\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},\"tag\":{\"enum\":[\"x\",\"y\"]}},"
          + "\"required\":[\"id\",\"tag\"],\"additionalProperties\":false}}},\"required\":[\"items\"],"
          + "\"additionalProperties\":false}",
      "{\"type\":\"object\",\"properties\":{\"when\":{\"type\":\"string\",\"format\":\"date-time\"},"
          + "\"mail\":{\"type\":\"string\",\"format\":\"email\"},\"u\":{\"type\":[\"string\",\"null\"]},"
          + "\"pick\":{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]},\"tree\":{\"$ref\":\"#/$defs/node\"}},"
          + "\"required\":[\"when\",\"mail\",\"u\",\"pick\",\"tree\"],\"additionalProperties\":false,"
          + "\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"integer\"},"
          + "\"kids\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/node\"},\"maxItems\":0}},"
          + "\"required\":[\"v\",\"kids\"],\"additionalProperties\":false}}}");

  /** The structured output and the tool arguments validate against their schemas (a real JSON Schema validator). */
  @Test
  void structuredOutputAndToolArgumentsPassAJsonSchemaValidator() throws IOException {
    com.networknt.schema.SchemaRegistry registry =
        com.networknt.schema.SchemaRegistry.withDefaultDialect(com.networknt.schema.SpecificationVersion.DRAFT_2020_12);
    for (String schema : SCHEMAS) {
      com.networknt.schema.Schema validator = registry.getSchema(Http.JSON.readTree(schema));
      assertThat(validator.validate(Http.JSON.readTree("{}"))).isNotEmpty(); // the validator does check
      JsonNode structured = Http.JSON.readTree(post(CHAT, "{\"model\":\"m\",\"response_format\":{\"type\":"
          + "\"json_schema\",\"json_schema\":{\"name\":\"s\",\"strict\":true,\"schema\":" + schema + "}},\"messages\":"
          + user("Describe 12 things") + "}").json().get("choices").get(0).get("message").get("content").asText());
      assertThat(validator.validate(structured)).as(schema + " <- " + structured).isEmpty();
      JsonNode call = post(CHAT, "{\"model\":\"m\",\"tool_choice\":\"required\",\"tools\":[{\"type\":\"function\","
          + "\"function\":{\"name\":\"f\",\"parameters\":" + schema + "}}],\"messages\":" + user("Describe 12 things")
          + "}").json().get("choices").get(0).get("message").get("tool_calls").get(0);
      JsonNode arguments = Http.JSON.readTree(call.get("function").get("arguments").asText());
      assertThat(validator.validate(arguments)).as(schema + " <- " + arguments).isEmpty();
    }
  }

  private static List<String> fieldNames(JsonNode o) {
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void streamedToolCallsArriveInFragmentsWithAFinalUsageChunk() throws IOException {
    String body = "\"model\":\"m\",\"tools\":[" + WEATHER + "],\"messages\":" + user("weather in Paris and Oslo");
    List<JsonNode> chunks = stream("{" + body + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    JsonNode plain = post(CHAT, "{" + body + "}").json();
    Map<Integer, StringBuilder> args = new LinkedHashMap<>();
    Map<Integer, String> ids = new LinkedHashMap<>();
    Map<Integer, String> names = new LinkedHashMap<>();
    String finish = null;
    int argumentChunks = 0;
    for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
      assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(chunk.get("usage").isNull()).isTrue();
      JsonNode choice = chunk.get("choices").get(0);
      if (!choice.get("finish_reason").isNull()) finish = choice.get("finish_reason").asText();
      for (JsonNode tc : choice.get("delta").path("tool_calls")) {
        int index = tc.get("index").asInt();
        if (tc.has("id")) {
          ids.put(index, tc.get("id").asText());
          names.put(index, tc.get("function").get("name").asText());
          assertThat(tc.get("type").asText()).isEqualTo("function");
        } else {
          argumentChunks++;
        }
        args.computeIfAbsent(index, i -> new StringBuilder()).append(tc.get("function").get("arguments").asText());
      }
    }
    assertThat(finish).isEqualTo("tool_calls");
    JsonNode expected = plain.get("choices").get(0).get("message").get("tool_calls");
    assertThat(ids).hasSize(expected.size()).hasSize(2);
    assertThat(argumentChunks).isGreaterThan(2 * 2); // arguments really come in fragments
    for (int i = 0; i < expected.size(); i++) {
      assertThat(names.get(i)).isEqualTo(expected.get(i).get("function").get("name").asText());
      assertThat(args.get(i).toString()).isEqualTo(expected.get(i).get("function").get("arguments").asText());
    }
    JsonNode usage = chunks.get(chunks.size() - 1);
    assertThat(usage.get("choices")).isEmpty();
    assertThat(usage.get("usage").get("total_tokens").asLong()).isEqualTo(plain.get("usage").get("total_tokens").asLong());
  }

  @Test
  void streamedChoicesCarryTheirIndex() throws IOException {
    List<JsonNode> chunks = stream("{\"model\":\"m\",\"n\":2,\"stream\":true,\"messages\":" + user("two please") + "}");
    Map<Integer, StringBuilder> texts = new LinkedHashMap<>();
    for (JsonNode chunk : chunks) {
      JsonNode choice = chunk.get("choices").get(0);
      texts.computeIfAbsent(choice.get("index").asInt(), i -> new StringBuilder())
          .append(choice.get("delta").path("content").asText(""));
    }
    assertThat(texts.keySet()).containsExactly(0, 1);
    JsonNode plain = post(CHAT, "{\"model\":\"m\",\"n\":2,\"messages\":" + user("two please") + "}").json();
    assertThat(texts.get(1).toString()).isEqualTo(plain.get("choices").get(1).get("message").get("content").asText());
  }

  List<JsonNode> stream(String request) throws IOException {
    Request call = new Request.Builder().url(backend.url() + CHAT).post(RequestBody.create(request, Http.JSON_TYPE)).build();
    List<JsonNode> chunks = new ArrayList<>();
    try (Response r = client.newCall(call).execute()) {
      assertThat(r.code()).isEqualTo(200);
      BufferedReader reader = new BufferedReader(new InputStreamReader(r.body().byteStream(), StandardCharsets.UTF_8));
      for (String line; (line = reader.readLine()) != null; ) {
        if (line.startsWith("data: ") && !line.equals("data: [DONE]")) chunks.add(Http.JSON.readTree(line.substring(6)));
      }
    }
    return chunks;
  }

  @Test
  void embeddingsHaveOpenAiShapeAndDeterministicVectors() throws IOException {
    Http.Result r = post(EMBEDDINGS, "{\"model\":\"text-embedding-3-small\",\"input\":[\"the cat sat on the mat\","
        + "\"a cat sat on a mat\",\"quarterly revenue grew in europe\"]}");
    assertThat(r.code()).isEqualTo(200);
    JsonNode e = r.json();
    assertThat(e.get("object").asText()).isEqualTo("list");
    assertThat(e.get("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(e.get("data")).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(e.get("data").get(i).get("object").asText()).isEqualTo("embedding");
      assertThat(e.get("data").get(i).get("index").asInt()).isEqualTo(i);
      assertThat(e.get("data").get(i).get("embedding")).hasSize(1536);
    }
    assertThat(e.get("usage").get("prompt_tokens").asLong()).isPositive();
    assertThat(e.get("usage").get("total_tokens").asLong()).isEqualTo(e.get("usage").get("prompt_tokens").asLong());
    double[] cat = vector(e.get("data").get(0).get("embedding"));
    double[] cat2 = vector(e.get("data").get(1).get("embedding"));
    double[] revenue = vector(e.get("data").get(2).get("embedding"));
    assertThat(dot(cat, cat)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(dot(cat, cat2)).isGreaterThan(0.4).isGreaterThan(dot(cat, revenue) + 0.3);
    // Same text, same vector, alone or in a batch.
    JsonNode alone = post(EMBEDDINGS, "{\"model\":\"text-embedding-3-small\",\"input\":\"the cat sat on the mat\"}").json();
    assertThat(alone.get("data").get(0).get("embedding")).isEqualTo(e.get("data").get(0).get("embedding"));
  }

  @Test
  void embeddingsBase64DimensionsAndTokenArrays() throws IOException {
    JsonNode floats = post(EMBEDDINGS, "{\"model\":\"m\",\"input\":\"hello world\",\"dimensions\":8}").json();
    JsonNode b64 = post(EMBEDDINGS, "{\"model\":\"m\",\"input\":\"hello world\",\"dimensions\":8,\"encoding_format\":\"base64\"}").json();
    assertThat(floats.get("data").get(0).get("embedding")).hasSize(8);
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64.get("data").get(0).get("embedding").asText()))
        .order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes.remaining()).isEqualTo(8 * 4);
    for (int i = 0; i < 8; i++) {
      assertThat(bytes.getFloat()).isEqualTo((float) floats.get("data").get(0).get("embedding").get(i).asDouble());
    }
    JsonNode tokens = post(EMBEDDINGS, "{\"model\":\"m\",\"input\":[[1,2,3],[4,5]]}").json();
    assertThat(tokens.get("data")).hasSize(2);
    assertThat(tokens.get("usage").get("prompt_tokens").asLong()).isEqualTo(5);
    assertThat(post(EMBEDDINGS, "{\"model\":\"text-embedding-3-large\",\"input\":\"x\"}").json()
        .get("data").get(0).get("embedding")).hasSize(3072);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"model\":\"m\"}                                        | input",
      "{\"model\":\"m\",\"input\":\"\"}                         | input",
      "{\"model\":\"m\",\"input\":[]}                           | input",
      "{\"model\":\"m\",\"input\":[\"a\",5]}                    | input",
      "{\"model\":\"m\",\"input\":{\"a\":1}}                    | input",
      "{\"model\":\"m\",\"input\":\"a\",\"dimensions\":0}       | dimensions",
      "{\"model\":\"m\",\"input\":\"a\",\"dimensions\":1537}    | dimensions",
      "{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"hex\"} | encoding_format",
      "{\"input\":\"a\"}                                        | model",
  })
  void badEmbeddingsRequestsNameTheParameter(String body, String param) throws IOException {
    Http.Result r = post(EMBEDDINGS, body);
    assertThat(r.code()).isEqualTo(400);
    assertThat(r.json().get("error").get("param").asText()).isEqualTo(param);
    assertThat(r.json().get("error").get("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void embeddingsTakeFaultsAndLatencyLikeEveryRoute() throws IOException {
    try (MockBackend faulty = MockBackend.builder().engine(engine()).latency(Latency.none())
        .faults(Faults.builder().route(Routes.EMBEDDINGS, Faults.builder().errorRate(1).build()).build()).start()) {
      Http.Result r = Http.post(client, faulty.url() + EMBEDDINGS, "{\"model\":\"m\",\"input\":\"a\"}");
      assertThat(r.code()).isIn(500, 502, 503);
      assertThat(Http.post(client, faulty.url() + CHAT, "{\"model\":\"m\",\"messages\":" + user("a") + "}").code())
          .isEqualTo(200);
      assertThat(faulty.stats().requests(Routes.EMBEDDINGS)).isEqualTo(1);
      assertThat(faulty.stats().faults(Stats.ERROR_5XX)).isEqualTo(1);
    }
  }

  private static double[] vector(JsonNode a) {
    double[] v = new double[a.size()];
    for (int i = 0; i < v.length; i++) v[i] = a.get(i).asDouble();
    return v;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }
}
