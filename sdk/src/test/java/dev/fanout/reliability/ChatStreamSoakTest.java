package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutReport;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.TransportException;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Streamed chat completions under faults: every prompt is accounted for once; a stream that succeeds
 * delivered each delta exactly once (a retry never repeats text already handed to the caller); a stream
 * that breaks (or stalls) after its first delta is final, not retried.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ChatStreamSoakTest {
  static final int N = 300;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void threeHundredStreamsUnderFaultsDeliverEveryDeltaOnce() throws Exception {
    Faults faults = Faults.builder().seed(5).errorRate(0.15).disconnectBeforeBodyRate(0.05)
        .disconnectDuringBodyRate(0.05).stallRate(0.05).malformedJsonRate(0.05).build();
    Latency latency = Latency.builder().delay(Duration.ofMillis(5))
        .route(Routes.CHAT, Latency.builder().delay(Duration.ofMillis(5)).timeToFirstToken(Duration.ofMillis(5))
            .perTokenDelay(Duration.ofMillis(1)).build())
        .build();
    Map<Integer, StringBuilder> delivered = new ConcurrentHashMap<>();
    try (MockBackend backend = MockBackend.builder().latency(latency).faults(faults).recordedRequests(5_000).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).readTimeout(Duration.ofMillis(500))
            .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(5)).build()).build()) {
      List<Integer> prompts = IntStream.rangeClosed(1, N).boxed().collect(Collectors.toList());
      FanoutFuture<List<Outcome<ChatCompletion>>> run = Fanout.settleAll(prompts, (i, context) -> {
        StringBuilder sink = delivered.computeIfAbsent(i, k -> new StringBuilder());
        ChatRequest request = ChatRequest.builder().model("m").addUserMessage("prompt number " + i).build();
        return client.chat().streamAsync(request, delta -> {
          synchronized (sink) {
            sink.append(delta);
          }
        });
      }, FanoutOptions.builder().timeout(Duration.ofSeconds(20)).build());
      List<Outcome<ChatCompletion>> outcomes = run.get(25, TimeUnit.SECONDS);
      Stats stats = backend.awaitIdle(Duration.ofSeconds(5));

      // Requests per prompt, as the server saw them.
      Map<String, Integer> perPrompt = new HashMap<>();
      ReceivedRequest r;
      while ((r = backend.takeRequest(0, TimeUnit.MILLISECONDS)) != null) {
        JsonNode body = JSON.readTree(r.bodyUtf8());
        perPrompt.merge(body.get("messages").get(0).get("content").asText(), 1, Integer::sum);
      }

      assertThat(outcomes).hasSize(N);
      int ok = 0;
      for (int i = 0; i < N; i++) {
        Outcome<ChatCompletion> o = outcomes.get(i);
        int prompt = prompts.get(i);
        String text = delivered.get(prompt).toString();
        FanoutReport.Entry entry = run.report().entries().get(i);
        assertThat(perPrompt.getOrDefault("prompt number " + prompt, 0)).as("prompt %d", prompt)
            .isEqualTo(entry.attempts()).isBetween(1, 3);
        if (o.isSuccess()) {
          ok++;
          String content = o.value().choices().get(0).message().content();
          assertThat(content).contains("prompt number " + prompt);
          assertThat(text).as("deltas of prompt %d, each once", prompt).isEqualTo(content);
        } else {
          assertThat(o.error()).isInstanceOf(FanoutException.class);
        }
      }
      assertThat(ok).isGreaterThan(N / 2);
      assertThat(stats.inFlight()).isZero();
      assertThat(stats.requests(Routes.CHAT)).isEqualTo(perPrompt.values().stream().mapToInt(Integer::intValue).sum());
      System.out.printf("RELIABILITY chat-streams: calls=%d accounted=%d ok=%d failed=%d requests=%d faults=%s%n",
          N, outcomes.size(), ok, N - ok, stats.requests(Routes.CHAT), stats.faultsInjected());
    }
  }

  @Test
  void aStreamCutAfterItsFirstDeltaIsFinalNotRetried() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream")
          .body(new CutAfterFirstDelta()).build());
      server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream")
          .body("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"second attempt\"}}]}\n\ndata: [DONE]\n\n").build());
      server.start();
      StringBuilder deltas = new StringBuilder();
      // MockWebServer leaves the connection open after the failed write: the read timeout ends the stream.
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).readTimeout(Duration.ofMillis(300))
          .retryPolicy(RetryPolicy.builder().maxAttempts(3).initialBackoff(Duration.ofMillis(1)).build()).build()) {
        Throwable thrown = catchThrowable(() ->
            client.chat().stream(ChatRequest.builder().model("m").addUserMessage("hi").build(), deltas::append));
        assertThat(thrown).isInstanceOf(TransportException.class).hasMessageContaining("POST /v1/chat/completions");
      }
      assertThat(deltas.toString()).isEqualTo("Hel");
      assertThat(server.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void aStreamThatStaysOpenAfterDoneCompletesAtDone() throws Exception {
    // Some servers (and proxies) keep the connection open after data: [DONE]; the stream is complete there,
    // so the call must not wait for the read timeout and then fail.
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream")
          .body(new OpenAfterDone()).build());
      server.start();
      StringBuilder deltas = new StringBuilder();
      Duration readTimeout = Duration.ofSeconds(2);
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).readTimeout(readTimeout)
          .retryPolicy(RetryPolicy.none()).build()) {
        long start = System.nanoTime();
        ChatCompletion done = client.chat().stream(ChatRequest.builder().model("m").addUserMessage("hi").build(), deltas::append);
        assertThat(done.choices().get(0).message().content()).isEqualTo("Hello");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(readTimeout);
      }
      assertThat(deltas.toString()).isEqualTo("Hello");
    }
  }

  /** Streams two deltas and [DONE], then keeps the body open with keep-alive comments for up to 10 s. */
  private static final class OpenAfterDone implements MockResponseBody {
    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      for (String frame : List.of(
          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n",
          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n",
          "data: [DONE]\n\n")) {
        byte[] bytes = frame.getBytes();
        sink.writeHexadecimalUnsignedLong(bytes.length).writeUtf8("\r\n").write(bytes).writeUtf8("\r\n");
      }
      sink.flush();
      // Keep-alive comments for up to 10 s: the connection stays busy; it ends when the client hangs up.
      byte[] comment = ": keep-alive\n\n".getBytes();
      for (int i = 0; i < 100; i++) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        sink.writeHexadecimalUnsignedLong(comment.length).writeUtf8("\r\n").write(comment).writeUtf8("\r\n");
        sink.flush();
      }
    }
  }

  /** Writes one chunked SSE delta, then fails: the stream stops mid-way. */
  private static final class CutAfterFirstDelta implements MockResponseBody {
    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      byte[] frame = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n".getBytes();
      sink.writeHexadecimalUnsignedLong(frame.length).writeUtf8("\r\n").write(frame).writeUtf8("\r\n");
      sink.flush();
      throw new IOException("cut after the first delta");
    }
  }
}
