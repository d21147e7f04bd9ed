package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatRequest;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.users.User;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Defect 4 of issue 14: a 200 whose body does not decode to the expected type — {@code null}, empty, the
 * wrong JSON type, a user without its id or name, another user than the one asked for — is a
 * {@link DecodeException} naming the call and what was wrong, never a success with a {@code null} (or
 * someone else's) value. Through the blocking and the async path.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class WrongBodyTest {
  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/").toString()).apiKey("sk-wrong-body")
        .retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  static Stream<Arguments> userBodies() {
    return Stream.of(
        Arguments.of("null", "null", "GET /users/7: expected a JSON object (User), got null"),
        Arguments.of("null with whitespace", " null\n", "GET /users/7: expected a JSON object (User), got null"),
        Arguments.of("empty", "", "GET /users/7: empty response body, expected a JSON object (User) (HTTP 200)"),
        Arguments.of("an array", "[{\"id\":7,\"name\":\"n\",\"email\":\"e\"}]", "GET /users/7: expected a JSON object (User), got an array"),
        Arguments.of("a string", "\"user 7\"", "GET /users/7: expected a JSON object (User), got a string"),
        Arguments.of("a number", "7", "GET /users/7: expected a JSON object (User), got a number"),
        Arguments.of("no id", "{\"name\":\"n\",\"email\":\"e\"}", "GET /users/7: response is not a valid User: missing required field \"id\""),
        Arguments.of("no name", "{\"id\":7,\"email\":\"e\"}", "GET /users/7: response is not a valid User: missing required field \"name\""),
        Arguments.of("null name", "{\"id\":7,\"name\":null,\"email\":\"e\"}", "GET /users/7: response is not a valid User: Cannot construct instance of `dev.fanout.users.User`, problem: name == null"),
        Arguments.of("null id", "{\"id\":null,\"name\":\"n\",\"email\":\"e\"}", "GET /users/7: response is not a valid User"),
        Arguments.of("data after the value", "{\"id\":7,\"name\":\"n\",\"email\":\"e\"} {\"id\":8}", "GET /users/7: unexpected data after the JSON value"),
        Arguments.of("another user", "{\"id\":999,\"name\":\"n\",\"email\":\"e\"}", "GET /users/7: asked for user 7, got user 999"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("userBodies")
  void aUserBodyThatIsNotTheUserIsADecodeException(String name, String body, String message) {
    for (boolean async : new boolean[] {false, true}) {
      server.enqueue(json(body));
      Throwable thrown = catchThrowable(() -> {
        User user = async ? HttpEngine.await(client.users().getAsync(7)) : client.users().get(7);
        throw new AssertionError("succeeded with " + user);
      });
      assertThat(thrown).as("async=%s", async).isInstanceOf(DecodeException.class).hasMessageStartingWith(message);
    }
  }

  static Stream<Arguments> chatBodies() {
    String p = "POST /v1/chat/completions: ";
    return Stream.of(
        Arguments.of("null", "null", p + "completion is not a JSON object"),
        Arguments.of("empty", " ", p + "empty response body (HTTP 200)"),
        Arguments.of("an array", "[]", p + "completion is not a JSON object"),
        Arguments.of("no choices", "{\"id\":\"c\",\"created\":1}", p + "completion has no choices array"),
        Arguments.of("a choice without message", "{\"created\":1,\"choices\":[{\"index\":0}]}", p + "choices[0] has no message object"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("chatBodies")
  void aChatBodyThatIsNotACompletionIsADecodeException(String name, String body, String message) {
    ChatRequest request = ChatRequest.builder().model("m").addUserMessage("hi").build();
    for (boolean async : new boolean[] {false, true}) {
      server.enqueue(json(body));
      Throwable thrown = catchThrowable(() -> {
        Object value = async ? HttpEngine.await(client.chat().createAsync(request)) : client.chat().create(request);
        throw new AssertionError("succeeded with " + value);
      });
      assertThat(thrown).as("async=%s", async).isInstanceOf(DecodeException.class).hasMessageStartingWith(message);
    }
  }

  @Test
  void aGenericCallTakesNullOnlyAsAJsonNode() {
    server.enqueue(json("null"));
    server.enqueue(json("null"));
    server.enqueue(json("null"));

    assertThat(client.json().get("x", JsonNode.class).isNull()).isTrue(); // NullNode: a value, not null
    assertThat(catchThrowable(() -> client.json().get("x", Object.class)))
        .isInstanceOf(DecodeException.class).hasMessage("GET /x: expected a JSON value, got null");
    assertThat(catchThrowable(() -> client.json().get("x", List.class)))
        .isInstanceOf(DecodeException.class).hasMessage("GET /x: expected a JSON array (List), got null");
  }

  @Test
  void aFanOutNeverSucceedsWithANullOrAnotherInputsUser() throws Exception {
    server.setDispatcher(new mockwebserver3.Dispatcher() {
      @Override
      public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
        long id = Long.parseLong(request.getUrl().pathSegments().get(1));
        return json(id % 3 == 0 ? "null" : id % 3 == 1 ? user(id) : user(id + 1000));
      }
    });
    List<Long> ids = List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);

    List<Outcome<User>> outcomes = Fanout.settleAll(ids, (id, context) -> client.users().getAsync(id), FanoutOptions.defaults()).get(20, TimeUnit.SECONDS);

    for (int i = 0; i < ids.size(); i++) {
      long id = ids.get(i);
      Outcome<User> o = outcomes.get(i);
      if (id % 3 == 1) {
        assertThat(o.isSuccess()).isTrue();
        assertThat(o.value().id()).isEqualTo(id);
      } else {
        assertThat(o.isSuccess()).as("id %d", id).isFalse();
        assertThat(o.error()).isInstanceOf(DecodeException.class)
            .hasMessageContaining("GET /users/" + id + ": ")
            .hasMessageContaining(id % 3 == 0 ? "got null" : "asked for user " + id + ", got user " + (id + 1000));
      }
    }
  }

  private static String user(long id) {
    return "{\"id\":" + id + ",\"name\":\"n\",\"email\":\"e\"}";
  }

  private static MockResponse json(String body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
  }
}
