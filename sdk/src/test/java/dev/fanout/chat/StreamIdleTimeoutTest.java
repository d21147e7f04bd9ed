package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream kept open by {@code : ping} comments alone ends at the stream idle timeout (issue 14, defect 5);
 * the timer is the client's {@link FakeClock}, so nothing here waits for it in real time.
 */
@Timeout(30)
final class StreamIdleTimeoutTest {
  private static final Duration IDLE = Duration.ofSeconds(30);
  private static final String PING = ": ping\n\n";

  private final MockWebServer server = new MockWebServer();
  private final FakeClock clock = FakeClock.create();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder()
        .baseUrl(server.url("/v1/").toString())
        .retryPolicy(RetryPolicy.none())
        .clock(clock)
        .streamIdleTimeout(IDLE)
        .totalTimeout(java.time.Duration.ZERO) // the idle timer is the only one this test counts
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  /** A stream that sends {@code data} events first, then {@code pings} comments a few ms apart, never {@code [DONE]}. */
  private static MockResponse pinging(String data, int pings) {
    return new MockResponse.Builder()
        .setHeader("Content-Type", "text/event-stream")
        .body(data + PING.repeat(pings))
        .throttleBody(PING.length(), 5, TimeUnit.MILLISECONDS)
        .build();
  }

  private static void awaitDelays(FakeClock clock, int n) throws InterruptedException {
    for (int i = 0; i < 2_000 && clock.scheduledDelays().size() < n; i++) {
      Thread.sleep(5);
    }
    assertThat(clock.scheduledDelays()).hasSizeGreaterThanOrEqualTo(n);
  }

  @Test
  void aStreamOfOnlyPingCommentsFailsAtTheIdleTimeout() throws Exception {
    server.enqueue(pinging("", 20_000)); // 100 s of pings in real time: only the idle timeout ends it sooner
    CompletableFuture<ChatCompletion> call = client.chat().streamAsync(
        ChatRequest.builder().model("m").addUserMessage("hi").build(), ChatStreamListener.ofContent(d -> { }));

    awaitDelays(clock, 1); // the reader is running and its idle timer armed
    Thread.sleep(300); // ~60 pings arrive; none of them re-arms the timer
    assertThat(clock.scheduledDelays()).containsExactly(IDLE);
    assertThat(call).isNotDone();

    clock.advance(IDLE.minusMillis(1));
    assertThat(call).isNotDone();
    clock.advance(Duration.ofMillis(1));

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
          assertThat(e.timeout()).isEqualTo(IDLE);
          assertThat(e.getMessage()).contains("sent nothing new for 30000 ms", "streamIdleTimeout");
        });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void eachDataEventRestartsTheIdleTimer() throws Exception {
    String delta = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
        + "\"delta\":{\"content\":\"x\"}}]}\n\n";
    server.enqueue(pinging(delta + delta, 20_000));
    List<String> deltas = new CopyOnWriteArrayList<>();
    CompletableFuture<ChatCompletion> call = client.chat().streamAsync(
        ChatRequest.builder().model("m").addUserMessage("hi").build(), ChatStreamListener.ofContent(deltas::add));

    awaitDelays(clock, 3); // armed at the headers, re-armed by each of the two data events
    Thread.sleep(300);
    assertThat(clock.scheduledDelays()).containsExactly(IDLE, IDLE, IDLE);
    assertThat(deltas).containsExactly("x", "x");

    clock.advance(IDLE);

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOf(FanoutTimeoutException.class)
        .hasMessageContaining("after 2 deltas");
  }

  @Test
  void dataEventsWithoutContentToolCallsOrUsageDoNotKeepAStreamAlive() throws Exception {
    String empty = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[]}\n\n";
    String emptyDelta = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"}}]}\n\n";
    String delta = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n";
    // 50 empty events, one delta, then empty events for ever (100 s of them in real time)
    server.enqueue(new MockResponse.Builder()
        .setHeader("Content-Type", "text/event-stream")
        .body((empty + emptyDelta).repeat(25) + delta + empty.repeat(20_000))
        .build());
    CountDownLatch gotDelta = new CountDownLatch(1);
    CompletableFuture<ChatCompletion> call = client.chat().streamAsync(
        ChatRequest.builder().model("m").addUserMessage("hi").build(), ChatStreamListener.ofContent(d -> gotDelta.countDown()));

    assertThat(gotDelta.await(10, TimeUnit.SECONDS)).isTrue();
    awaitDelays(clock, 2); // the delta's re-arm follows its delivery
    // armed at the headers and re-armed by the one delta; the 50 empty events before it did not re-arm it
    assertThat(clock.scheduledDelays()).containsExactly(IDLE, IDLE);

    clock.advance(IDLE);

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOfSatisfying(FanoutTimeoutException.class, e ->
            assertThat(e.getMessage()).contains("sent nothing new for 30000 ms", "after 1 deltas"));
  }

  @Test
  void theDefaultIsFiveMinutesAndZeroTurnsItOff() {
    assertThat(FanoutClient.DEFAULT_STREAM_IDLE_TIMEOUT).isEqualTo(Duration.ofMinutes(5));
    assertThatThrownBy(() -> FanoutClient.builder().streamIdleTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamIdleTimeout");
  }
}
