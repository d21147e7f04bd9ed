package dev.fanout.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.internal.HttpEngine;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(20)
class ErrorMappingTest {
  private static final String KEY = "sk-very-secret-key-42";

  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder()
        .baseUrl(server.url("/api/").toString())
        .apiKey(KEY)
        .retryPolicy(RetryPolicy.none())
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  @ParameterizedTest(name = "{0} async={3}")
  @CsvSource({
      "400, BadRequestException, Bad Request, false",
      "401, UnauthorizedException, Unauthorized, true",
      "404, NotFoundException, Not Found, false",
      "429, RateLimitedException, Too Many Requests, true",
      "500, ServerException, Internal Server Error, false",
      "503, ServerException, Service Unavailable, true",
      "418, ServiceException, I'm a teapot, false",
  })
  void eachStatusMapsToItsType(int code, String type, String reason, boolean async) {
    server.enqueue(new MockResponse.Builder().code(code).status("HTTP/1.1 " + code + " I'm a teapot")
        .setHeader("Content-Type", "application/json").body("{\"error\":\"e" + code + "\"}").build());

    Throwable thrown = catchIt(() -> {
      JsonNode ignored = async
          ? HttpEngine.await(client.json().getAsync("items/5", JsonNode.class))
          : client.json().get("items/5", JsonNode.class);
    });

    assertThat(thrown).isInstanceOf(ServiceException.class);
    assertThat(thrown.getClass().getSimpleName()).isEqualTo(type);
    ServiceException e = (ServiceException) thrown;
    assertThat(e.statusCode()).isEqualTo(code);
    assertThat(e.method()).isEqualTo("GET");
    assertThat(e.url()).endsWith("/api/items/5");
    assertThat(e.body()).isEqualTo("{\"error\":\"e" + code + "\"}");
    assertThat(e.getMessage()).isEqualTo(
        "HTTP " + code + " " + reason + " (GET /api/items/5): {\"error\":\"e" + code + "\"}");
    assertThat(e.header("content-type")).isEqualTo("application/json");
  }

  @Test
  void credentialsAndQuerySecretsAreRedacted() {
    server.enqueue(new MockResponse.Builder().code(401)
        .addHeader("Set-Cookie", "session=abc123")
        .addHeader("X-Api-Key", KEY)
        .addHeader("X-RateLimit-Remaining-Tokens", "17")
        .body("denied").build());

    assertThatThrownBy(() -> client.json().get("search?q=cats&api_key=" + KEY + "&token=t0k", JsonNode.class))
        .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
          assertThat(e.toString()).doesNotContain(KEY).doesNotContain("t0k");
          assertThat(e.url()).doesNotContain(KEY).contains("q=cats");
          assertThat(e.headers().toString()).doesNotContain(KEY).doesNotContain("abc123");
          assertThat(e.header("x-ratelimit-remaining-tokens")).isEqualTo("17");
          assertThat(e.getMessage()).contains("GET /api/search?q=cats&api_key=");
        });
  }

  @Test
  void errorBodyIsBounded() {
    server.enqueue(new MockResponse.Builder().code(500).body("x".repeat(100_000)).build());

    assertThatThrownBy(() -> client.json().get("big", JsonNode.class))
        .isInstanceOfSatisfying(ServerException.class, e -> {
          assertThat(e.body().length()).isLessThanOrEqualTo(8 * 1024 + 1);
          assertThat(e.getMessage().length()).isLessThan(400);
        });
  }

  private static Throwable catchIt(Runnable r) {
    try {
      r.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
