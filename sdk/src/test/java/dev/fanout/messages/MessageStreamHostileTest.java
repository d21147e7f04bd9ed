package dev.fanout.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.SseThreads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Anthropic's Messages stream against hostile bytes, read the way the chat stream reads them: a lone
 * {@code \r} line ending (SSE allows it; OkHttp's own SSE reader spins on it, a thread at 100% of a core
 * until the connection closes) is read like {@code \n}, and what keeps a stream alive under
 * {@code streamIdleTimeout} is progress, not {@code ping} events or empty deltas. The idle timer runs on a
 * {@link FakeClock}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class MessageStreamHostileTest {
  private static final Duration IDLE = Duration.ofSeconds(30);
  private static final MessageRequest REQUEST = MessageRequest.builder().model("claude-test").maxTokens(64)
      .addUserMessage("hi").build();

  private static String event(String type, String data, String eol) {
    return "event: " + type + eol + "data: " + data + eol + eol;
  }

  private static String start(String eol) {
    return event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"model\":\"claude-test\",\"content\":[],\"usage\":{\"input_tokens\":3,"
        + "\"output_tokens\":1}}}", eol)
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
        + "{\"type\":\"text\",\"text\":\"\"}}", eol);
  }

  private static String text(String text, String eol) {
    return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
        + "{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}", eol);
  }

  private static String ping(String eol) {
    return event("ping", "{\"type\":\"ping\"}", eol);
  }

  private static String end(String eol) {
    return event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}", eol)
        + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
        + "\"usage\":{\"output_tokens\":2}}", eol)
        + event("message_stop", "{\"type\":\"message_stop\"}", eol);
  }

  private static MockResponse sse(String body, int bytesPerRead) {
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
        .body(body).throttleBody(bytesPerRead, 0, TimeUnit.MILLISECONDS).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\r", "\r\n", "\n"})
  void everyLineEndingTheFormatAllowsIsReadAndNoThreadSpins(String eol) throws Exception {
    // a byte at a time: a \r\n split between reads too
    String body = start(eol) + text("a", eol) + ping(eol) + ": comment" + eol + eol + text("b", eol) + end(eol);
    List<String> texts = new CopyOnWriteArrayList<>();
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(sse(body, 1));
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/v1/").toString())
          .retryPolicy(RetryPolicy.none()).totalTimeout(Duration.ofSeconds(20)).build()) {
        CompletableFuture<Message> call = client.messages().streamAsync(REQUEST, new MessageStreamListener() {
          @Override
          public void onText(int index, String text) {
            texts.add(text);
          }
        });

        Message message = call.get(20, TimeUnit.SECONDS);

        assertThat(message.text()).isEqualTo("ab");
        assertThat(message.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(texts).containsExactly("a", "b");
      }
    }
    assertThat(SseThreads.readersRunning()).as("threads inside OkHttp's SSE reader after close").isEmpty();
  }

  /**
   * Pings and empty text deltas before and after the one real delta, for 100 s in real time, with the
   * stream's lines ended by {@code eol}: the idle timer was armed at the headers and re-armed only by the
   * message's start, its block's start and the delta; one idle timeout later the call fails, and after
   * close no thread is left in the SSE reader.
   */
  @ParameterizedTest
  @ValueSource(strings = {"\r", "\n"})
  void pingsAndEmptyDeltasDoNotKeepAStreamAlive(String eol) throws Exception {
    String noProgress = ping(eol) + text("", eol);
    String body = start(eol) + noProgress.repeat(25) + text("a", eol) + noProgress.repeat(10_000);
    FakeClock clock = FakeClock.create();
    CountDownLatch gotText = new CountDownLatch(1);
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body)
          .throttleBody(noProgress.length(), 10, TimeUnit.MILLISECONDS).build());
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/v1/").toString())
          .retryPolicy(RetryPolicy.none()).clock(clock).streamIdleTimeout(IDLE).totalTimeout(Duration.ZERO)
          .build()) {
        CompletableFuture<Message> call = client.messages().streamAsync(REQUEST, new MessageStreamListener() {
          @Override
          public void onText(int index, String text) {
            gotText.countDown();
          }
        });

        assertThat(gotText.await(20, TimeUnit.SECONDS)).as("the delta arrived").isTrue();
        awaitDelays(clock, 4); // the delta's re-arm follows its delivery
        // headers, message_start, content_block_start, the delta: the 50 events before it did not re-arm it
        assertThat(clock.scheduledDelays()).containsExactly(IDLE, IDLE, IDLE, IDLE);
        assertThat(call).isNotDone();

        clock.advance(IDLE);

        assertThatThrownBy(() -> HttpEngine.await(call))
            .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
              assertThat(e.timeout()).isEqualTo(IDLE);
              assertThat(e.getMessage()).contains("sent nothing new for 30000 ms");
            });
        assertThat(clock.scheduledDelays()).as("nothing re-armed it after the delta").hasSize(4);
      }
    }
    assertThat(SseThreads.readersRunning()).as("threads inside OkHttp's SSE reader after close").isEmpty();
  }

  /** Waits (at most 10 s) until {@code n} timers were asked of the clock. */
  private static void awaitDelays(FakeClock clock, int n) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (clock.scheduledDelays().size() < n && System.nanoTime() < until) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    assertThat(clock.scheduledDelays()).hasSizeGreaterThanOrEqualTo(n);
  }
}
