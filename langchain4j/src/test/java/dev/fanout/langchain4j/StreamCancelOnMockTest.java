package dev.fanout.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClient;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A streamed answer from the mock, cancelled after its first token: the mock sees the stream cut short. */
@Timeout(30)
class StreamCancelOnMockTest {
  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.builder().delay(Duration.ofMillis(10)).perTokenDelay(Duration.ofMillis(200)).build())
      .build();

  @Test
  void cancellingTheHandleEndsTheHttpCall() throws Exception {
    List<String> partials = new CopyOnWriteArrayList<>();
    CompletableFuture<Object> terminal = new CompletableFuture<>();
    CountDownLatch cancelled = new CountDownLatch(1);
    try (FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      FanoutStreamingChatModel model = FanoutStreamingChatModel.builder().client(client).modelName("gpt-4o-mini").build();

      model.chat("Tell me a long story about fan-out, deadlines and cancellation", new StreamingChatResponseHandler() {
        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
          partials.add(partial.text());
          context.streamingHandle().cancel();
          cancelled.countDown();
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
          terminal.complete(response);
        }

        @Override
        public void onError(Throwable error) {
          terminal.complete(error);
        }
      });

      assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
      Stats idle = backend.backend().awaitIdle(Duration.ofSeconds(10));
      assertThat(idle.aborted()).as("the server saw the stream closed").isEqualTo(1);
      assertThat(idle.completed()).isZero();
      assertThat(idle.requests(Routes.CHAT)).isEqualTo(1);
      assertThat(partials).hasSize(1);
      assertThat(terminal).as("no terminal callback after cancel").isNotDone();
    }
  }
}
