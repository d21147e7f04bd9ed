package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutReport;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.TransportException;
import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An HTTP/2 server that refuses streams ({@code RST_STREAM REFUSED_STREAM}, as nginx at its stream limit) or
 * sends {@code GOAWAY} with streams in flight above its last stream id (nginx after {@code keepalive_requests}
 * or on a reload), with retries off: the requests it never processed are sent again at once, not as attempts,
 * and every call succeeds, the server processing each once. Real frames from the Netty mock engine over h2c;
 * no sleeps, nothing keyed on arrival order: the server refuses by count, and the bounds below hold whatever
 * order the streams arrive in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class RefusedStreamTest {
  private static final int CALLS = 40;
  private static final int REFUSED = 3;
  private static final int STREAMS_PER_CONNECTION = 10;
  private static final Map<String, Object> CHAT =
      Map.of("model", "gpt-4o-mini", "messages", List.of(Map.of("role", "user", "content", "hi")));

  private static FanoutClient client(MockBackend backend, List<CallTrace> traces) {
    return FanoutClient.builder().baseUrl(backend.url()).http2PriorKnowledge(true).retryPolicy(RetryPolicy.none())
        .traceListener(traces::add).build();
  }

  @Test
  void aFanOutThroughRefusedStreamsAndGoawaysSucceedsWithRetriesOffAndSpendsNoAttempt() throws Exception {
    // A call is refused at most REFUSED times by RST_STREAM and once per connection that sends GOAWAY (each
    // processes 10 distinct calls, so at most 4): 7, within the SDK's 8 replays, in any arrival order.
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).http2PriorKnowledge(true)
            .refusedStreams(REFUSED).goAwayAfterStreams(STREAMS_PER_CONNECTION)
            .latency(Latency.fixed(Duration.ofMillis(20))).start();
        FanoutClient client = client(backend, new CopyOnWriteArrayList<>())) {
      List<Long> ids = LongStream.rangeClosed(1, CALLS).boxed().toList();
      FanoutFuture<List<Outcome<User>>> run =
          Fanout.settleAll(ids, (id, context) -> client.users().getAsync(id), FanoutOptions.defaults());
      List<Outcome<User>> outcomes = run.join();

      assertThat(outcomes).hasSize(CALLS).allSatisfy(o -> assertThat(o.isSuccess())
          .as("input %d: %s", o.index(), o.isSuccess() ? "" : o.error()).isTrue());
      assertThat(outcomes).extracting(o -> o.value().id()).containsExactlyElementsOf(ids);
      FanoutReport report = run.report();
      assertThat(report.entries()).allSatisfy(e -> assertThat(e.attempts()).isEqualTo(1));
      int replays = report.entries().stream().flatMap(e -> e.calls().stream()).mapToInt(CallTrace::replays).sum();
      // the 3 refused streams, and the stream that made each of the first 3 connections send GOAWAY
      assertThat(replays).isGreaterThanOrEqualTo(REFUSED + (CALLS - 1) / STREAMS_PER_CONNECTION);
      assertThat(backend.awaitIdle(Duration.ofSeconds(10)).requests(Routes.USERS))
          .as("the server processed each call once: refused and unprocessed streams are not requests")
          .isEqualTo(CALLS);
      assertThat(backend.stats().completed()).isEqualTo(CALLS);
      assertThat(backend.connectionStats().accepted()).isGreaterThanOrEqualTo(CALLS / STREAMS_PER_CONNECTION);
      System.out.printf("RELIABILITY refused streams: %d calls, %d refused + GOAWAY every %d streams, retries off: "
              + "%d ok, %d attempts, %d replays, %d server requests over %d connections%n", CALLS, REFUSED,
          STREAMS_PER_CONNECTION, outcomes.stream().filter(Outcome::isSuccess).count(),
          report.entries().stream().mapToLong(FanoutReport.Entry::attempts).sum(), replays,
          backend.stats().requests(Routes.USERS), backend.connectionStats().accepted());
    }
  }

  /** RFC 9113 section 8.7: a refused stream was not processed, so even a POST is safe to send again. */
  @Test
  void aPostWhoseStreamWasRefusedIsSentAgainAndProcessedOnce() throws Exception {
    List<CallTrace> traces = new CopyOnWriteArrayList<>();
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).http2PriorKnowledge(true)
            .refusedStreams(2).latency(Latency.none()).start();
        FanoutClient client = client(backend, traces)) {
      JsonNode answer = client.json().post("v1/chat/completions", CHAT, JsonNode.class);

      assertThat(answer.path("choices").isArray()).isTrue();
      assertThat(traces).singleElement().satisfies(t -> {
        assertThat(t.attempts()).isEqualTo(1);
        assertThat(t.replays()).isEqualTo(2);
      });
      assertThat(backend.awaitIdle(Duration.ofSeconds(10)).requests(Routes.CHAT)).isEqualTo(1);
    }
  }

  @Test
  void aServerThatRefusesEveryStreamEndsInATypedErrorNamingTheRefusalAfterTheBound() throws Exception {
    List<CallTrace> traces = new CopyOnWriteArrayList<>();
    try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).http2PriorKnowledge(true)
            .refusedStreams(Long.MAX_VALUE).latency(Latency.none()).start();
        FanoutClient client = client(backend, traces)) {
      Throwable failure = catchThrowable(() -> client.users().get(7));

      assertThat(failure).isInstanceOf(TransportException.class)
          .hasMessageContaining("users/7")
          .hasMessageContaining("the server did not process the request")
          .hasMessageContaining("REFUSED_STREAM")
          .hasMessageContaining("9 times (sent again 8 times, the most allowed)");
      assertThat(traces).singleElement().satisfies(t -> {
        assertThat(t.attempts()).isEqualTo(1);
        assertThat(t.replays()).isEqualTo(8);
      });
      assertThat(backend.stats().totalRequests()).isZero();
    }
  }
}
