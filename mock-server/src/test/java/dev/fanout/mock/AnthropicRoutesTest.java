package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code POST /v1/messages}: Anthropic's wire format, its strictness, its streams and its metering. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AnthropicRoutesTest extends MeteredBackends {
  static final String MESSAGES = "/v1/messages";
  static final String WEATHER = "{\"name\":\"get_weather\",\"description\":\"Weather in a city\",\"input_schema\":"
      + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}";

  Http.Result post(MockBackend backend, String json, boolean headers) throws IOException {
    Request.Builder b = new Request.Builder().url(backend.url() + MESSAGES)
        .post(RequestBody.create(json, Http.JSON_TYPE));
    if (headers) {
      b.header("x-api-key", "sk-ant-test-key").header("anthropic-version", "2023-06-01");
    }
    return Http.execute(client, b.build());
  }

  static String user(String text, String extra) {
    return "{\"model\":\"claude-test\",\"max_tokens\":100," + extra
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
  }

  @Test
  void answersAMessageInAnthropicsShape() throws IOException {
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result r = post(backend, user("hello there", "\"system\":\"be brief\","), true);
      assertThat(r.code()).isEqualTo(200);
      JsonNode m = r.json();
      assertThat(m.get("type").asText()).isEqualTo("message");
      assertThat(m.get("id").asText()).startsWith("msg_");
      assertThat(m.get("role").asText()).isEqualTo("assistant");
      assertThat(m.get("content").get(0).get("type").asText()).isEqualTo("text");
      assertThat(m.get("content").get(0).get("text").asText()).contains("hello there");
      assertThat(m.get("stop_reason").asText()).isEqualTo("end_turn");
      assertThat(m.get("stop_sequence").isNull()).isTrue();
      JsonNode usage = m.get("usage");
      assertThat(usage.get("input_tokens").asLong()).isPositive();
      assertThat(usage.get("output_tokens").asLong()).isPositive();
      assertThat(usage.has("cache_read_input_tokens")).isTrue();
      assertThat(usage.has("cache_creation_input_tokens")).isTrue();
      assertThat(r.headers().get("request-id")).startsWith("req_");
    }
  }

  @Test
  void refusesWhatAnthropicRefuses() throws IOException {
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result noKey = post(backend, user("hi", ""), false);
      assertThat(noKey.code()).isEqualTo(401);
      assertThat(noKey.json().get("type").asText()).isEqualTo("error");
      assertThat(noKey.json().at("/error/type").asText()).isEqualTo("authentication_error");

      Http.Result noVersion = Http.execute(client, new Request.Builder().url(backend.url() + MESSAGES)
          .header("x-api-key", "k").post(RequestBody.create(user("hi", ""), Http.JSON_TYPE)).build());
      assertThat(noVersion.code()).isEqualTo(400);
      assertThat(noVersion.json().at("/error/message").asText()).contains("anthropic-version");

      Http.Result noMax = post(backend,
          "{\"model\":\"claude-test\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", true);
      assertThat(noMax.code()).isEqualTo(400);
      assertThat(noMax.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
      assertThat(noMax.json().at("/error/message").asText()).contains("max_tokens");

      Http.Result unanswered = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":10,\"messages\":["
          + "{\"role\":\"user\",\"content\":\"weather in Paris\"},"
          + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}]},"
          + "{\"role\":\"user\",\"content\":\"well?\"}]}", true);
      assertThat(unanswered.code()).isEqualTo(400);
      assertThat(unanswered.json().at("/error/message").asText()).contains("toolu_1");
    }
  }

  @Test
  void maxTokensZeroPrewarmsTheCacheAndAnswersNothing() throws IOException {
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result r = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":0,\"system\":[{\"type\":\"text\","
          + "\"text\":\"You are an AI assistant tasked with analyzing legal documents.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
          + "\"tools\":[" + WEATHER + "],\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}", true);
      assertThat(r.code()).isEqualTo(200);
      JsonNode m = r.json();
      assertThat(m.get("content")).isEmpty();
      assertThat(m.get("stop_reason").asText()).isEqualTo("max_tokens");
      assertThat(m.at("/usage/output_tokens").asLong()).isZero();
      assertThat(m.at("/usage/input_tokens").asLong()).isPositive();
      assertThat(m.at("/usage/cache_read_input_tokens").asLong()).isPositive();

      for (String extra : List.of("\"stream\":true,", "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},",
          "\"tools\":[" + WEATHER + "],\"tool_choice\":{\"type\":\"any\"},")) {
        Http.Result refused = post(backend, user("hi", extra).replace("\"max_tokens\":100", "\"max_tokens\":0"), true);
        assertThat(refused.code()).as(extra).isEqualTo(400);
        assertThat(refused.json().at("/error/message").asText()).contains("max_tokens: 0");
      }
      Http.Result negative = post(backend, user("hi", "").replace("\"max_tokens\":100", "\"max_tokens\":-1"), true);
      assertThat(negative.code()).isEqualTo(400);
      assertThat(negative.json().at("/error/message").asText()).contains("greater than or equal to 0");
    }
  }

  @Test
  void takesWebFetchAndCodeExecutionResultsContainerUploadsAndMidConversationSystemBlocks() throws IOException {
    // The blocks as the web fetch and code execution tool guides show them.
    String assistant = "[{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_01234567890abcdef\",\"name\":\"web_fetch\","
        + "\"input\":{\"url\":\"https://example.com/article\"}},"
        + "{\"type\":\"web_fetch_tool_result\",\"tool_use_id\":\"srvtoolu_01234567890abcdef\",\"content\":{"
        + "\"type\":\"web_fetch_result\",\"url\":\"https://example.com/article\",\"content\":{\"type\":\"document\","
        + "\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"Full text content of the article...\"},"
        + "\"title\":\"Article Title\",\"citations\":{\"enabled\":true}},\"retrieved_at\":\"2025-08-25T10:30:00Z\"}},"
        + "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_01A2B3C4D5E6F7G8H9\",\"name\":\"bash_code_execution\","
        + "\"input\":{\"command\":\"ls -la | head -5\"}},"
        + "{\"type\":\"bash_code_execution_tool_result\",\"tool_use_id\":\"srvtoolu_01A2B3C4D5E6F7G8H9\",\"content\":{"
        + "\"type\":\"bash_code_execution_result\",\"stdout\":\"total 24\",\"stderr\":\"\",\"return_code\":0,"
        + "\"content\":[]}},"
        + "{\"type\":\"text\",\"text\":\"The article says hello.\"}]";
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result r = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":100,\"messages\":["
          + "{\"role\":\"user\",\"content\":[{\"type\":\"container_upload\",\"file_id\":\"file_011CNha8iCJcU1wXNR6q4V8w\"},"
          + "{\"type\":\"text\",\"text\":\"Summarize https://example.com/article\"}]},"
          + "{\"role\":\"assistant\",\"content\":" + assistant + "},"
          + "{\"role\":\"user\",\"content\":[{\"type\":\"mid_conv_system\",\"content\":[{\"type\":\"text\","
          + "\"text\":\"Answer in one line.\"}]},{\"type\":\"text\",\"text\":\"And its date?\"}]}]}", true);
      assertThat(r.code()).as(r.body()).isEqualTo(200);
      assertThat(r.json().at("/content/0/text").asText()).contains("And its date?");

      Http.Result fetchFromUser = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":100,\"messages\":["
          + "{\"role\":\"user\",\"content\":[{\"type\":\"web_fetch_tool_result\",\"tool_use_id\":\"srvtoolu_1\","
          + "\"content\":{\"type\":\"web_fetch_tool_error\",\"error_code\":\"url_not_accessible\"}}]}]}", true);
      assertThat(fetchFromUser.code()).isEqualTo(400);
      assertThat(fetchFromUser.json().at("/error/message").asText())
          .contains("messages.0.content.0").contains("web_fetch_tool_result blocks are only allowed in assistant messages");

      Http.Result noFileId = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":100,\"messages\":["
          + "{\"role\":\"user\",\"content\":[{\"type\":\"container_upload\"}]}]}", true);
      assertThat(noFileId.code()).isEqualTo(400);
      assertThat(noFileId.json().at("/error/message").asText()).contains("messages.0.content.0.file_id");
    }
  }

  @Test
  void takesServerToolBlocksAndSearchResultsSentBackInAConversation() throws IOException {
    // The blocks as the web search and search results guides show them.
    String assistant = "[{\"type\":\"text\",\"text\":\"I'll check the current weather in New York City for you.\"},"
        + "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_014hJH82Qum7Td6UV8gDXThB\",\"name\":\"web_search\","
        + "\"input\":{\"query\":\"weather NYC today\"}},"
        + "{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_014hJH82Qum7Td6UV8gDXThB\",\"content\":["
        + "{\"type\":\"web_search_result\",\"title\":\"Weather in New York City in May 2025 (New York)\","
        + "\"url\":\"https://world-weather.info/forecast/usa/new_york/may-2025/\",\"encrypted_content\":\"Ev0DCioIAxgCIiQ3NmU4ZmI4OC1k\","
        + "\"page_age\":null}]},"
        + "{\"type\":\"text\",\"text\":\"It is sunny.\",\"citations\":[{\"type\":\"web_search_result_location\","
        + "\"url\":\"https://world-weather.info/forecast/usa/new_york/may-2025/\",\"title\":\"Weather in New York City\","
        + "\"encrypted_index\":\"Eo8BCioIAhgB\",\"cited_text\":\"sunny\"}]}]";
    String searchResult = "{\"type\":\"search_result\",\"source\":\"https://www.example.com\",\"title\":\"Page Title\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"Relevant content from the search\"}],\"citations\":{\"enabled\":true}}";
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result r = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":100,\"messages\":["
          + "{\"role\":\"user\",\"content\":\"What is the weather like in New York City today?\"},"
          + "{\"role\":\"assistant\",\"content\":" + assistant + "},"
          + "{\"role\":\"user\",\"content\":[" + searchResult + ",{\"type\":\"text\",\"text\":\"And tomorrow?\"}]}]}", true);
      assertThat(r.code()).as(r.body()).isEqualTo(200);
      assertThat(r.json().at("/content/0/text").asText()).contains("And tomorrow?");

      Http.Result serverUseFromUser = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":100,\"messages\":["
          + "{\"role\":\"user\",\"content\":[{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\","
          + "\"input\":{}}]}]}", true);
      assertThat(serverUseFromUser.code()).isEqualTo(400);
      assertThat(serverUseFromUser.json().at("/error/message").asText()).contains("messages.0.content.0");

      Http.Result untitled = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":100,\"messages\":["
          + "{\"role\":\"user\",\"content\":[" + searchResult.replace("\"title\":\"Page Title\",", "") + "]}]}", true);
      assertThat(untitled.code()).isEqualTo(400);
      assertThat(untitled.json().at("/error/message").asText()).contains("messages.0.content.0.title");
    }
  }

  @Test
  void takesTheKeyAsABearerTokenTooAsTheOfficialTypeScriptSdkSendsIt() throws IOException {
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result r = Http.execute(client, new Request.Builder().url(backend.url() + MESSAGES)
          .header("Authorization", "Bearer sk-ant-test").header("anthropic-version", "2023-06-01")
          .post(RequestBody.create(user("hi", ""), Http.JSON_TYPE)).build());
      assertThat(r.code()).isEqualTo(200);
    }
  }

  @Test
  void usesToolsFromTheirInputSchemaThenAnswersFromTheResults() throws IOException {
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result r = post(backend, user("Weather in Paris and Tokyo?", "\"tools\":[" + WEATHER + "],"), true);
      assertThat(r.code()).isEqualTo(200);
      JsonNode m = r.json();
      assertThat(m.get("stop_reason").asText()).isEqualTo("tool_use");
      List<String> cities = new ArrayList<>();
      for (JsonNode b : m.get("content")) {
        assertThat(b.get("type").asText()).isEqualTo("tool_use");
        assertThat(b.get("id").asText()).startsWith("toolu_");
        assertThat(b.get("name").asText()).isEqualTo("get_weather");
        // who called the tool: the model itself (the official Java SDK's ToolUseBlock.caller() requires it)
        assertThat(b.at("/caller/type").asText()).isEqualTo("direct");
        cities.add(b.at("/input/city").asText());
      }
      assertThat(cities).containsExactly("Paris", "Tokyo");

      String id0 = m.at("/content/0/id").asText();
      String id1 = m.at("/content/1/id").asText();
      Http.Result answer = post(backend, "{\"model\":\"claude-test\",\"max_tokens\":100,\"tools\":[" + WEATHER + "],"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris and Tokyo?\"},"
          + "{\"role\":\"assistant\",\"content\":" + m.get("content") + "},"
          + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" + id0 + "\",\"content\":\"sunny\"},"
          + "{\"type\":\"tool_result\",\"tool_use_id\":\"" + id1 + "\",\"content\":\"rain\"}]}]}", true);
      assertThat(answer.code()).isEqualTo(200);
      assertThat(answer.json().get("stop_reason").asText()).isEqualTo("end_turn");
      assertThat(answer.json().at("/content/0/text").asText()).contains("get_weather returned sunny", "get_weather returned rain");

      Http.Result one = post(backend, user("Weather in Paris and Tokyo?", "\"tools\":[" + WEATHER + "],"
          + "\"tool_choice\":{\"type\":\"auto\",\"disable_parallel_tool_use\":true},"), true);
      assertThat(one.json().get("content")).hasSize(1);
    }
  }

  @Test
  void streamsNamedEventsInAnthropicsOrderWithoutDone() throws IOException {
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result r = post(backend, user("Weather in Paris?", "\"stream\":true,\"tools\":[" + WEATHER + "],"), true);
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.contentType()).startsWith("text/event-stream");
      List<String> types = new ArrayList<>();
      StringBuilder json = new StringBuilder();
      String[] frames = r.body().split("\n\n");
      for (String frame : frames) {
        String[] lines = frame.split("\n");
        assertThat(lines[0]).startsWith("event: ");
        assertThat(lines[1]).startsWith("data: ");
        String type = lines[0].substring(7);
        JsonNode data = Http.JSON.readTree(lines[1].substring(6));
        assertThat(data.get("type").asText()).isEqualTo(type);
        types.add(type);
        if (type.equals("content_block_start")) {
          assertThat(data.at("/content_block/type").asText()).isEqualTo("tool_use");
          assertThat(data.at("/content_block/caller/type").asText()).isEqualTo("direct");
          assertThat(data.at("/content_block/input").isEmpty()).isTrue();
        }
        if (type.equals("content_block_delta")) {
          assertThat(data.at("/delta/type").asText()).isEqualTo("input_json_delta");
          json.append(data.at("/delta/partial_json").asText());
        }
      }
      assertThat(r.body()).doesNotContain("[DONE]");
      assertThat(types.get(0)).isEqualTo("message_start");
      assertThat(types.subList(1, 3)).containsExactly("content_block_start", "ping");
      assertThat(types.subList(types.size() - 3, types.size()))
          .containsExactly("content_block_stop", "message_delta", "message_stop");
      assertThat(Http.JSON.readTree(json.toString()).get("city").asText()).isEqualTo("Paris");
    }
  }

  @Test
  void metersRequestsAndTokensWithAnthropicsHeadersAnd429() throws IOException {
    try (MockBackend backend = start(Faults.builder().requestsPerMinute(60).tokensPerMinute(60_000))) {
      // one second deep: one request, then a 429 with retry-after in whole seconds
      Http.Result ok = post(backend, user("hi", ""), true);
      assertThat(ok.code()).isEqualTo(200);
      assertThat(ok.headers().get("anthropic-ratelimit-requests-limit")).isEqualTo("60");
      assertThat(ok.headers().get("anthropic-ratelimit-requests-remaining")).isEqualTo("0");
      assertThat(ok.headers().get("anthropic-ratelimit-input-tokens-limit")).isEqualTo("60000");
      assertThat(ok.headers().get("anthropic-ratelimit-output-tokens-limit")).isEqualTo("60000");
      // output charged at max_tokens (100) up front
      assertThat(ok.headers().get("anthropic-ratelimit-output-tokens-remaining")).isEqualTo("900");
      assertThat(ok.headers().get("anthropic-ratelimit-tokens-limit")).isEqualTo("120000");
      Instant reset = OffsetDateTime.parse(ok.headers().get("anthropic-ratelimit-requests-reset")).toInstant();
      assertThat(reset).isAfter(Instant.now().minusSeconds(5)).isBefore(Instant.now().plusSeconds(5));

      Http.Result limited = post(backend, user("hi", ""), true);
      assertThat(limited.code()).isEqualTo(429);
      assertThat(limited.json().get("type").asText()).isEqualTo("error");
      assertThat(limited.json().at("/error/type").asText()).isEqualTo("rate_limit_error");
      assertThat(limited.headers().get("retry-after")).isEqualTo("1");
      assertThat(limited.headers().get("anthropic-ratelimit-requests-remaining")).isEqualTo("0");

      now.addAndGet(TimeUnit.SECONDS.toNanos(1));
      assertThat(post(backend, user("hi", ""), true).code()).isEqualTo(200);
    }
  }

  @Test
  void eachModelHasAQuotaOfItsOwn() throws IOException {
    try (MockBackend backend = start(Faults.builder().requestsPerMinute(60))) {
      assertThat(post(backend, user("hi", ""), true).code()).isEqualTo(200);
      assertThat(post(backend, user("hi", ""), true).code()).as("claude-test's one request is spent").isEqualTo(429);

      Http.Result other = post(backend, user("hi", "").replace("claude-test", "claude-other"), true);
      assertThat(other.code()).as("another model draws on its own quota").isEqualTo(200);
      assertThat(other.headers().get("anthropic-ratelimit-requests-remaining")).isEqualTo("0");
    }
  }

  @Test
  void injectedOverloadIsA529OverloadedError() throws IOException {
    // the fault sequence draws 500, 502 or 503; a 503 on this route is Anthropic's 529
    try (MockBackend backend = start(Faults.builder().errorRate(1.0).seed(1))) {
      boolean saw529 = false;
      for (int i = 0; i < 30 && !saw529; i++) {
        Http.Result r = post(backend, user("hi", ""), true);
        assertThat(r.code()).isIn(500, 502, 529);
        assertThat(r.json().get("type").asText()).isEqualTo("error");
        if (r.code() == 529) {
          saw529 = true;
          assertThat(r.json().at("/error/type").asText()).isEqualTo("overloaded_error");
        } else {
          assertThat(r.json().at("/error/type").asText()).isEqualTo("api_error");
        }
      }
      assertThat(saw529).isTrue();
    }
  }
}
