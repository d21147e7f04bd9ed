package dev.fanout.users;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.NotFoundException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.Responses;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class UserServiceTest {
  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .apiKey("sk-test-123")
        .retryPolicy(RetryPolicy.none())
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private User get(long id, boolean async) {
    return async ? HttpEngine.await(client.users().getAsync(id)) : client.users().get(id);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void getsUserWithBearerKey(boolean async) throws Exception {
    server.enqueue(Responses.user(7));

    User user = get(7, async);

    assertThat(user).isEqualTo(new User(7, "User 7", "user7@example.com"));
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/users/7");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer sk-test-123");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void notFoundIsTyped(boolean async) {
    server.enqueue(Responses.json(404, "{\"error\":\"no user 9\"}"));

    assertThatThrownBy(() -> get(9, async))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(404);
          assertThat(e.body()).contains("no user 9");
          assertThat(e.getMessage()).startsWith("HTTP 404 Not Found (GET /users/9)");
        });
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void wrongShapeIsDecodeException(boolean async) {
    server.enqueue(Responses.json("{\"id\":3}"));

    assertThatThrownBy(() -> get(3, async))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("GET /users/3");
  }

  @Test
  void invalidIdFailsBeforeAnyRequest() {
    assertThatThrownBy(() -> client.users().getAsync(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("id < 1: 0");
    assertThatThrownBy(() -> client.users().get(-5)).hasMessage("id < 1: -5");
    assertThat(server.getRequestCount()).isZero();
  }
}
