package dev.fanout.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class JsonServiceTest {
  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder()
        .baseUrl(server.url("/root").toString())
        .retryPolicy(RetryPolicy.none())
        .maxResponseBytes(1024)
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private <T> T call(boolean async, String method, String path, Object body, TypeReference<T> type) {
    return async
        ? HttpEngine.await(client.json().callAsync(method, path, body, type))
        : client.json().call(method, path, body, type);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void getsGenericTypesRelativeToBaseUrl(boolean async) throws Exception {
    server.enqueue(Responses.json("[{\"id\":1,\"name\":\"a\",\"email\":\"a@x\"},{\"id\":2,\"name\":\"b\",\"email\":\"b@x\"}]"));

    List<User> users = call(async, "GET", "search?q=a%20b&k=2", null, new TypeReference<List<User>>() {});

    assertThat(users).extracting(User::id).containsExactly(1L, 2L);
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r.getTarget()).isEqualTo("/root/search?q=a%20b&k=2");
    assertThat(r.getHeaders().get("Authorization")).isNull();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void jsonResponseCarriesStatusAndHeaders(boolean async) {
    server.enqueue(new MockResponse.Builder().code(201).addHeader("Content-Type", "application/json")
        .addHeader("X-Request-Id", "req_7").addHeader("x-ratelimit-limit-requests", "6000")
        .body("{\"ok\":true}").build());

    JsonResponse response = call(async, "POST", "things", Map.of("a", 1), new TypeReference<JsonResponse>() {});

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.header("x-request-id")).contains("req_7");
    assertThat(response.header("X-RateLimit-Limit-Requests")).contains("6000");
    assertThat(response.headers()).containsKey("x-request-id");
    assertThat(response.body().get("ok").asBoolean()).isTrue();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void postsJsonBody(boolean async) throws Exception {
    server.enqueue(Responses.json("{\"echo\":\"hi\"}"));

    Map<String, String> result = call(async, "POST", "echo", Map.of("say", "hi"), new TypeReference<Map<String, String>>() {});

    assertThat(result).containsEntry("echo", "hi");
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getBody().utf8()).isEqualTo("{\"say\":\"hi\"}");
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void voidIgnoresTheBody(boolean async) {
    server.enqueue(new MockResponse.Builder().code(204).build());

    assertThat(call(async, "DELETE", "items/1", null, new TypeReference<Void>() {})).isNull();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void notJsonIsDecodeException(boolean async) {
    server.enqueue(new MockResponse.Builder().body("<html>oops</html>").build());

    assertThatThrownBy(() -> call(async, "GET", "x", null, new TypeReference<JsonNode>() {}))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("GET /root/x");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void wrongShapeIsDecodeException(boolean async) {
    server.enqueue(Responses.json("{\"id\":1,\"name\":\"a\",\"email\":\"a@x\"}"));

    assertThatThrownBy(() -> call(async, "GET", "x", null, new TypeReference<List<User>>() {}))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("expected a JSON array (List), got an object");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void emptyBodyIsDecodeException(boolean async) {
    server.enqueue(new MockResponse.Builder().code(200).build());

    assertThatThrownBy(() -> call(async, "GET", "x", null, new TypeReference<User>() {}))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("empty response body");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void oversizedBodyIsDecodeException(boolean async) {
    server.enqueue(Responses.json("[\"" + "x".repeat(5000) + "\"]"));
    server.enqueue(new MockResponse.Builder().chunkedBody("[\"" + "y".repeat(5000) + "\"]", 512).build());

    assertThatThrownBy(() -> call(async, "GET", "declared", null, new TypeReference<JsonNode>() {}))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("exceeds maxResponseBytes 1024");
    assertThatThrownBy(() -> call(async, "GET", "chunked", null, new TypeReference<JsonNode>() {}))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("exceeds maxResponseBytes 1024");
  }

  @Test
  void rejectsAbsoluteUrlsAndBadMethodsBeforeAnyRequest() {
    assertThatThrownBy(() -> client.json().getAsync("http://evil.test/steal", JsonNode.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://evil.test/steal");
    assertThatThrownBy(() -> client.json().getAsync("//evil.test/x", JsonNode.class))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> client.json().callAsync("BREW", "x", null, JsonNode.class))
        .hasMessage("unsupported method: BREW");
    assertThatThrownBy(() -> client.json().callAsync("GET", "x", Map.of(), JsonNode.class))
        .hasMessage("GET cannot have a body");
    assertThat(server.getRequestCount()).isZero();
  }
}
