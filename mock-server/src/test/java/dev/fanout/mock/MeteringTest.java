package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Metering like OpenAI, end to end: the buckets run on a fake clock (time moves only when a test advances
 * it), so every admission, header and 429 is exact.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MeteringTest extends MeteredBackends {
  static final String CHAT = "/v1/chat/completions";

  static String chat(String content, Integer maxTokens) {
    return "{\"model\":\"gpt-4o-mini\"," + (maxTokens != null ? "\"max_tokens\":" + maxTokens + "," : "")
        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
  }

  @Test
  void requestsPerMinuteAdmitOneSecondsWorthThenAnswer429LikeOpenAi() throws IOException {
    try (MockBackend backend = start(Faults.builder().requestsPerMinute(6000))) {
      for (int i = 0; i < 100; i++) {
        Http.Result r = Http.post(client, backend.url() + CHAT, chat("hi", 5));
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.headers().get("x-ratelimit-limit-requests")).isEqualTo("6000");
        assertThat(r.headers().get("x-ratelimit-remaining-requests")).isEqualTo(Integer.toString(99 - i));
        assertThat(r.headers().get("x-ratelimit-reset-requests")).isEqualTo(Meter.reset((i + 1) * 10));
      }
      Http.Result limited = Http.post(client, backend.url() + CHAT, chat("hi", 5));
      assertThat(limited.code()).isEqualTo(429);
      assertThat(limited.contentType()).startsWith("application/json");
      JsonNode error = limited.json().get("error");
      assertThat(error.get("message").asText()).isEqualTo("Rate limit reached for gpt-4o-mini in organization "
          + "org-fanout-mock on requests per min (RPM): Limit 6000, Used 6000, Requested 1. Please try again in 10ms. "
          + "Visit https://platform.openai.com/account/rate-limits to learn more.");
      assertThat(error.get("type").asText()).isEqualTo("requests");
      assertThat(error.get("param").isNull()).isTrue();
      assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(limited.headers().get("retry-after")).isEqualTo("1");
      assertThat(limited.headers().get("retry-after-ms")).isEqualTo("10");
      assertThat(limited.headers().get("x-ratelimit-remaining-requests")).isEqualTo("0");

      now.addAndGet(Duration.ofMillis(10).toNanos()); // one request's worth
      assertThat(Http.post(client, backend.url() + CHAT, chat("hi", 5)).code()).isEqualTo(200);
      now.addAndGet(Duration.ofMillis(4).toNanos());
      Http.Result again = Http.post(client, backend.url() + CHAT, chat("hi", 5));
      assertThat(again.code()).isEqualTo(429);
      assertThat(again.headers().get("retry-after-ms")).isEqualTo("6");
      assertThat(again.json().get("error").get("message").asText()).contains("Please try again in 6ms.");
      assertThat(backend.stats().faults(Stats.RATE_LIMITED)).isEqualTo(2);
      assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(103);

      // The users route is not a provider route: not metered, no headers.
      Http.Result user = Http.get(client, backend.url() + "/users/1");
      assertThat(user.code()).isEqualTo(200);
      assertThat(user.headers().get("x-ratelimit-limit-requests")).isNull();
      // Reset refills the buckets.
      backend.reset();
      assertThat(Http.post(client, backend.url() + CHAT, chat("hi", 5)).headers().get("x-ratelimit-remaining-requests"))
          .isEqualTo("99");
    }
  }

  @Test
  void tokensAreChargedTheEstimateAndCorrectedToTheUsage() throws IOException {
    String content = "x".repeat(400); // 100 tokens by characters / 4
    try (MockBackend backend = start(Faults.builder().requestsPerMinute(600).tokensPerMinute(60_000))) {
      Http.Result first = Http.post(client, backend.url() + CHAT, chat(content, 100));
      assertThat(first.code()).isEqualTo(200);
      assertThat(first.headers().get("x-ratelimit-limit-tokens")).isEqualTo("60000");
      // 1,000 tokens deep; the estimate is 100 + 100 = 200.
      assertThat(first.headers().get("x-ratelimit-remaining-tokens")).isEqualTo("800");
      assertThat(first.headers().get("x-ratelimit-reset-tokens")).isEqualTo("200ms");
      assertThat(first.headers().get("x-ratelimit-remaining-requests")).isEqualTo("9");
      long used = first.json().get("usage").get("total_tokens").asLong();
      assertThat(used).isLessThan(200);
      Http.Result second = Http.post(client, backend.url() + CHAT, chat(content, 100));
      assertThat(second.headers().get("x-ratelimit-remaining-tokens")).isEqualTo(Long.toString(1000 - used - 200));

      // Without max_tokens the estimate uses the default completion estimate.
      Http.Result noMax = Http.post(client, backend.url() + CHAT, chat(content, null));
      assertThat(noMax.headers().get("x-ratelimit-remaining-tokens"))
          .isEqualTo(Long.toString(1000 - 2 * used - 100 - Faults.DEFAULT_MAX_TOKENS_ESTIMATE));

      Http.Result limited = null;
      for (int i = 0; i < 10 && limited == null; i++) {
        Http.Result r = Http.post(client, backend.url() + CHAT, chat(content, 100));
        if (r.code() == 429) limited = r;
      }
      assertThat(limited).isNotNull();
      JsonNode error = limited.json().get("error");
      assertThat(error.get("type").asText()).isEqualTo("tokens");
      assertThat(error.get("message").asText())
          .startsWith("Rate limit reached for gpt-4o-mini in organization org-fanout-mock on tokens per min (TPM): "
              + "Limit 60000, Used ")
          .contains("Requested 200. Please try again in " + limited.headers().get("retry-after-ms") + "ms.");
      assertThat(Long.parseLong(limited.headers().get("retry-after-ms"))).isBetween(1L, 200L);

      Http.Result tooLarge = Http.post(client, backend.url() + CHAT, chat("hi", 70_000));
      assertThat(tooLarge.code()).isEqualTo(429);
      assertThat(tooLarge.json().get("error").get("message").asText()).startsWith("Request too large for gpt-4o-mini");
      assertThat(tooLarge.headers().get("retry-after-ms")).isNull();
    }
  }

  @Test
  void streamedAndEmbeddingResponsesCarryTheHeadersToo() throws IOException {
    try (MockBackend backend = start(Faults.builder().requestsPerMinute(60).tokensPerMinute(6000)
        .meterDepth(Duration.ofMinutes(1)))) {
      Request call = new Request.Builder().url(backend.url() + CHAT).post(RequestBody.create(
          "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Http.JSON_TYPE)).build();
      try (Response r = client.newCall(call).execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.header("x-ratelimit-limit-requests")).isEqualTo("60");
        assertThat(r.header("x-ratelimit-remaining-requests")).isEqualTo("59");
        assertThat(r.header("x-ratelimit-limit-tokens")).isEqualTo("6000");
        r.body().string();
      }
      Http.Result e = Http.post(client, backend.url() + "/v1/embeddings", "{\"model\":\"m\",\"input\":\"" + "y".repeat(40) + "\"}");
      assertThat(e.code()).isEqualTo(200);
      assertThat(e.headers().get("x-ratelimit-remaining-requests")).isEqualTo("58"); // one quota for chat and embeddings
      long before = Long.parseLong(e.headers().get("x-ratelimit-remaining-tokens"));
      Http.Result e2 = Http.post(client, backend.url() + "/v1/embeddings", "{\"model\":\"m\",\"input\":\"" + "y".repeat(40) + "\"}");
      assertThat(Long.parseLong(e2.headers().get("x-ratelimit-remaining-tokens"))).isEqualTo(before - 10);
    }
  }

  @Test
  void eachModelHasAQuotaOfItsOwnAsOpenAiLimitsEachModel() throws IOException {
    try (MockBackend backend = start(Faults.builder().requestsPerMinute(120))) {
      // two requests a second deep, per model
      for (int i = 0; i < 2; i++) {
        assertThat(Http.post(client, backend.url() + CHAT, chat("hi", 5)).code()).isEqualTo(200);
      }
      assertThat(Http.post(client, backend.url() + CHAT, chat("hi", 5)).code()).isEqualTo(429);

      Http.Result embedding = Http.post(client, backend.url() + "/v1/embeddings",
          "{\"model\":\"text-embedding-3-small\",\"input\":\"hi\"}");
      assertThat(embedding.code()).as("another model, another quota").isEqualTo(200);
      assertThat(embedding.headers().get("x-ratelimit-remaining-requests")).isEqualTo("1");
      Http.Result otherChat = Http.post(client, backend.url() + CHAT, chat("hi", 5).replace("gpt-4o-mini", "gpt-4o"));
      assertThat(otherChat.code()).isEqualTo(200);
      assertThat(otherChat.headers().get("x-ratelimit-remaining-requests")).isEqualTo("1");
    }
  }

  @Test
  void aRouteOverrideMetersItsOwnQuotaOnAnyRoute() throws IOException {
    try (MockBackend backend = start(Faults.builder()
        .route(Routes.USERS, Faults.builder().requestsPerMinute(120).meterClock(now::get).build()))) {
      assertThat(Http.get(client, backend.url() + "/users/1").headers().get("x-ratelimit-remaining-requests")).isEqualTo("1");
      assertThat(Http.get(client, backend.url() + "/users/1").code()).isEqualTo(200);
      Http.Result limited = Http.get(client, backend.url() + "/users/1");
      assertThat(limited.code()).isEqualTo(429);
      assertThat(limited.headers().get("retry-after-ms")).isEqualTo("500");
      Http.Result chat = Http.post(client, backend.url() + CHAT, chat("hi", 5));
      assertThat(chat.code()).isEqualTo(200);
      assertThat(chat.headers().get("x-ratelimit-limit-requests")).isNull();
    }
  }

  @Test
  void faultedResponsesKeepTheHeaders() throws IOException {
    try (MockBackend backend = start(Faults.builder().requestsPerMinute(6000).errorRate(1))) {
      Http.Result r = Http.post(client, backend.url() + CHAT, chat("hi", 5));
      assertThat(r.code()).isIn(500, 502, 503);
      assertThat(r.headers().get("x-ratelimit-remaining-requests")).isEqualTo("99");
    }
  }

  /** Local alias for the reset format (package-private in the internal package). */
  static final class Meter {
    static String reset(long millis) {
      return millis == 1000 ? "1s" : millis + "ms";
    }
  }
}
