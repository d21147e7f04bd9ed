package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.testsupport.SseThreads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An event stream may end its lines with {@code \r\n}, {@code \n} or a lone {@code \r} (the SSE format allows
 * all three): each is read, none spins a thread. OkHttp's own SSE reader loops for ever on lone {@code \r}s;
 * the SDK rewrites line endings before it reads.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class StreamLineEndingsTest {
  private static String event(String data, String eol) {
    return "data: " + data + eol + eol;
  }

  private static String delta(String text) {
    return "{\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"}}]}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"\r", "\r\n", "\n"})
  void everyLineEndingTheFormatAllowsIsReadAndNoThreadSpins(String eol) throws Exception {
    String body = event(delta("a"), eol) + ": ping" + eol + eol + event(delta("b"), eol) + event("[DONE]", eol);
    List<String> deltas = new CopyOnWriteArrayList<>();
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
          // a byte at a time: a \r\n split between reads too
          .body(body).throttleBody(1, 0, TimeUnit.MILLISECONDS).build());
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/v1/").toString())
          .retryPolicy(RetryPolicy.none()).totalTimeout(Duration.ofSeconds(20)).build()) {
        CompletableFuture<ChatCompletion> call = client.chat().streamAsync(
            ChatRequest.builder().model("m").addUserMessage("hi").build(), ChatStreamListener.ofContent(deltas::add));

        ChatCompletion done = call.get(20, TimeUnit.SECONDS);

        assertThat(done.content()).isEqualTo("ab");
        assertThat(deltas).containsExactly("a", "b");
      }
    }
    assertThat(SseThreads.readersRunning()).as("threads inside OkHttp's SSE reader after close").isEmpty();
  }
}
