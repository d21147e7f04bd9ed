package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code POST /v1/messages/count_tokens}: Anthropic's token counting, checked like messages, never metered. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CountTokensRouteTest extends MeteredBackends {
  static final String COUNT_TOKENS = "/v1/messages/count_tokens";
  static final String WEATHER = AnthropicRoutesTest.WEATHER;

  Http.Result post(MockBackend backend, String path, String json) throws IOException {
    return Http.execute(client, new Request.Builder().url(backend.url() + path)
        .header("x-api-key", "sk-ant-test-key").header("anthropic-version", "2023-06-01")
        .post(RequestBody.create(json, Http.JSON_TYPE)).build());
  }

  /** A request's body for {@code /v1/messages}: {@code fields} (each ending in a comma), then the messages. */
  static String message(String fields, String messages) {
    return "{\"model\":\"claude-test\",\"max_tokens\":100," + fields + "\"messages\":" + messages + "}";
  }

  /** The same request for count_tokens: without {@code max_tokens}. */
  static String counting(String message) {
    return message.replace("\"max_tokens\":100,", "");
  }

  @Test
  void countsWhatTheSameMessageReportsAsInputTokens() throws IOException {
    String[] requests = {
        message("", "[{\"role\":\"user\",\"content\":\"hello there\"}]"),
        message("\"system\":\"be brief and exact\",", "[{\"role\":\"user\",\"content\":\"what is the weather?\"}]"),
        message("\"tools\":[" + WEATHER + "],\"tool_choice\":{\"type\":\"auto\"},",
            "[{\"role\":\"user\",\"content\":\"weather in Paris\"}]"),
        message("", "[{\"role\":\"user\",\"content\":\"weather in Paris\"},"
            + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\","
            + "\"input\":{\"city\":\"Paris\"}}]},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\","
            + "\"content\":\"sunny, 21 C\"}]}]"),
    };
    try (MockBackend backend = start(Faults.builder())) {
      for (String request : requests) {
        Http.Result message = post(backend, AnthropicRoutesTest.MESSAGES, request);
        assertThat(message.code()).as(request).isEqualTo(200);
        long expected = message.json().at("/usage/input_tokens").asLong();

        Http.Result count = post(backend, COUNT_TOKENS, counting(request));
        assertThat(count.code()).as(count.body()).isEqualTo(200);
        assertThat(count.contentType()).startsWith("application/json");
        assertThat(count.headers().get("request-id")).startsWith("req_");
        JsonNode json = count.json();
        assertThat(json.size()).as("only input_tokens: %s", json).isEqualTo(1);
        assertThat(json.get("input_tokens").asLong()).as(request).isEqualTo(expected).isPositive();
      }
      assertThat(backend.stats().requests(Routes.COUNT_TOKENS)).isEqualTo(requests.length);
      assertThat(backend.stats().requests(Routes.MESSAGES)).isEqualTo(requests.length);
    }
  }

  @Test
  void countsCachedBlocksToo() throws IOException {
    // Anthropic's count is the whole input: what messages splits into input_tokens and cache reads
    String request = message("\"system\":[{\"type\":\"text\",\"text\":\"a long and cached system prompt\","
        + "\"cache_control\":{\"type\":\"ephemeral\"}}],", "[{\"role\":\"user\",\"content\":\"hello\"}]");
    try (MockBackend backend = start(Faults.builder())) {
      JsonNode usage = post(backend, AnthropicRoutesTest.MESSAGES, request).json().get("usage");
      assertThat(usage.get("cache_read_input_tokens").asLong()).isPositive();
      Http.Result count = post(backend, COUNT_TOKENS, counting(request));
      assertThat(count.json().get("input_tokens").asLong())
          .isEqualTo(usage.get("input_tokens").asLong() + usage.get("cache_read_input_tokens").asLong());
    }
  }

  @Test
  void refusesWhatAnthropicRefuses() throws IOException {
    try (MockBackend backend = start(Faults.builder())) {
      Http.Result noKey = Http.execute(client, new Request.Builder().url(backend.url() + COUNT_TOKENS)
          .header("anthropic-version", "2023-06-01")
          .post(RequestBody.create(counting(message("", "[]")), Http.JSON_TYPE)).build());
      assertThat(noKey.code()).isEqualTo(401);
      assertThat(noKey.json().at("/error/type").asText()).isEqualTo("authentication_error");

      Http.Result noModel = post(backend, COUNT_TOKENS, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
      assertThat(noModel.code()).isEqualTo(400);
      assertThat(noModel.json().get("type").asText()).isEqualTo("error");
      assertThat(noModel.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
      assertThat(noModel.json().at("/error/message").asText()).contains("model");

      Http.Result noMessages = post(backend, COUNT_TOKENS, "{\"model\":\"claude-test\"}");
      assertThat(noMessages.code()).isEqualTo(400);
      assertThat(noMessages.json().at("/error/message").asText()).contains("messages");

      Http.Result withMax = post(backend, COUNT_TOKENS,
          message("", "[{\"role\":\"user\",\"content\":\"hi\"}]"));
      assertThat(withMax.code()).isEqualTo(400);
      assertThat(withMax.json().at("/error/message").asText())
          .isEqualTo("max_tokens: Extra inputs are not permitted");

      Http.Result get = Http.execute(client, new Request.Builder().url(backend.url() + COUNT_TOKENS)
          .header("x-api-key", "k").header("anthropic-version", "2023-06-01").build());
      assertThat(get.code()).isEqualTo(405);
      assertThat(backend.stats().requests(Routes.COUNT_TOKENS)).isEqualTo(5);
      assertThat(backend.stats().requests(Routes.MESSAGES)).isZero();
    }
  }

  @Test
  void isNotMeteredByTheMessagesQuotas() throws IOException {
    String request = message("", "[{\"role\":\"user\",\"content\":\"hi\"}]");
    try (MockBackend backend = start(Faults.builder().requestsPerMinute(60).tokensPerMinute(60))) {
      // one second deep: one message spends claude-test's quota, counting never touches it
      assertThat(post(backend, AnthropicRoutesTest.MESSAGES, request).code()).isEqualTo(200);
      for (int i = 0; i < 5; i++) {
        Http.Result count = post(backend, COUNT_TOKENS, counting(request));
        assertThat(count.code()).isEqualTo(200);
        assertThat(count.headers().get("anthropic-ratelimit-requests-limit")).isNull();
      }
      assertThat(post(backend, AnthropicRoutesTest.MESSAGES, request).code()).isEqualTo(429);
      assertThat(backend.stats().faultsInjected().get(Stats.RATE_LIMITED)).isEqualTo(1);
    }
  }

  @Test
  void adminStatsCountTheRouteBesideMessages() throws IOException {
    try (MockBackend backend = start(Faults.builder())) {
      post(backend, COUNT_TOKENS, counting(message("", "[{\"role\":\"user\",\"content\":\"hi\"}]")));
      JsonNode stats = Http.get(client, backend.url() + "/__admin/stats").json();
      assertThat(stats.toString()).contains("\"count_tokens\":1").contains("\"messages\":0");
    }
  }
}
