package dev.fanout.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.Responses;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a path reaches the server: resolved against the base URL as a URL reference (a leading {@code /} is the
 * host's root, as in Retrofit), never off the base URL's origin; query parameters encoded for the caller. The
 * base URL is {@code /v1}, as for OpenAI; each test asserts the exact request target the server saw.
 */
@Timeout(20)
class PathsAndQueryTest {
  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder()
        .baseUrl(server.url("/v1").toString())
        .apiKey("sk-test-paths")
        .retryPolicy(RetryPolicy.none())
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private String target(boolean async, String path, Map<String, ?> query) throws Exception {
    server.enqueue(Responses.json("{}"));
    if (async) {
      HttpEngine.await(client.json().getAsync(path, query, JsonNode.class));
    } else {
      client.json().get(path, query, JsonNode.class);
    }
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer sk-test-paths");
    return r.getTarget();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void aRelativePathIsUnderTheBasePathAndALeadingSlashIsTheHostsRoot(boolean async) throws Exception {
    assertThat(target(async, "chat/completions", Map.of())).isEqualTo("/v1/chat/completions");
    assertThat(target(async, "/v1/chat/completions", Map.of())).isEqualTo("/v1/chat/completions");
    assertThat(target(async, "/search", Map.of())).isEqualTo("/search");
    assertThat(target(async, "/users/7", Map.of())).isEqualTo("/users/7");
    assertThat(target(async, "../v2/models", Map.of())).isEqualTo("/v2/models");
    assertThat(target(async, server.url("/health").toString(), Map.of())).as("an absolute URL on the base's origin")
        .isEqualTo("/health");
  }

  @Test
  void theTypedServicesStayUnderTheBasePath() throws Exception {
    server.enqueue(Responses.user(7));
    client.users().get(7);
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getTarget()).isEqualTo("/v1/users/7");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void queryParametersAreEncodedForTheCaller(boolean async) throws Exception {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("k", 3);
    query.put("q", "fan out & more=1/ü+2#x?");
    String target = target(async, "search", query);

    assertThat(target).isEqualTo("/v1/search?k=3&q=fan%20out%20%26%20more%3D1%2F%C3%BC%2B2%23x%3F");
    assertThat(server.url(target).queryParameter("q")).isEqualTo("fan out & more=1/ü+2#x?");
  }

  @Test
  void iterablesAndArraysRepeatTheNameAndAPathsOwnQueryComesFirst() throws Exception {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("ids", List.of(1, 2));
    query.put("tag", new String[] {"a b", "c"});
    assertThat(target(false, "/search?x=1", query)).isEqualTo("/search?x=1&ids=1&ids=2&tag=a%20b&tag=c");
  }

  @Test
  void anotherOriginOrANullIsRefusedBeforeAnyRequest() {
    int port = server.getPort();
    for (String path : List.of("https://evil.test/steal", "//evil.test/x", "http://evil.test:" + port + "/x",
        "https://127.0.0.1:" + port + "/v1/x", "http://127.0.0.1:" + (port == 65535 ? 1 : port + 1) + "/x")) {
      assertThatThrownBy(() -> client.json().getAsync(path, JsonNode.class))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("path " + path + " leaves the base URL's origin http://" + server.getHostName())
          .hasMessageNotContaining("sk-test-paths");
    }
    Map<String, Object> nullValue = new HashMap<>();
    nullValue.put("q", null);
    assertThatThrownBy(() -> client.json().getAsync("search", nullValue, JsonNode.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("query parameter q == null");
    assertThatThrownBy(() -> client.json().getAsync("search", Map.of("ids", Arrays.asList(1, null)), JsonNode.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("query parameter ids == null");
    assertThat(server.getRequestCount()).isZero();
  }
}
