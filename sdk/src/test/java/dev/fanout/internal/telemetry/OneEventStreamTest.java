package dev.fanout.internal.telemetry;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.CallTrace;
import dev.fanout.ClientStats;
import dev.fanout.FanoutClient;
import dev.fanout.GovernorPolicy;
import dev.fanout.HedgePolicy;
import dev.fanout.RetryPolicy;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One client meets a replay, a hedge and a governor wait, and its three sinks (the calls' traces,
 * {@code stats()} and OpenTelemetry) report each fact the same number of times, with the same governor wait:
 * each is told once, to the call's one event stream, and each sink hears that telling. A sink that counted a
 * fact of its own (or missed one) would disagree here. The server's answers are keyed by path and by how many
 * times that path came, each path's second request sent only after its first was answered or seen held; the
 * hedge and the governor's pause run on a {@link FakeClock} the test advances. MockWebServer takes an HTTP/2
 * stream's socket effects from {@link Dispatcher#peek()} before it reads the request, so the refusal is armed
 * for one stream just before the call it is for, on the connection already open, with no other stream
 * arriving.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class OneEventStreamTest {
  /** RFC 9113's {@code REFUSED_STREAM}: the server did not process the stream. */
  private static final int REFUSED_STREAM = 7;
  private static final Duration HEDGE_DELAY = Duration.ofMillis(200);
  private static final Duration PAUSE = Duration.ofMillis(300);
  private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
  private static final AttributeKey<Long> CALL_ATTEMPTS = AttributeKey.longKey("fanout.call.attempts");
  private static final AttributeKey<Double> WAIT = AttributeKey.doubleKey("fanout.governor.wait.duration");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

  private final FakeClock clock = FakeClock.create();
  private final MockWebServer server = new MockWebServer();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch heldArrived = new CountDownLatch(1);
  /** The next HTTP/2 stream is refused ({@code RST_STREAM REFUSED_STREAM}), unprocessed. */
  private final AtomicBoolean refuseNextStream = new AtomicBoolean();
  private final AtomicInteger refused = new AtomicInteger();
  private final Set<Integer> connections = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
  /** When set, the hedge's answer sends its headers at once and its body once this opens. */
  private volatile CountDownLatch hedgeBodyGate;
  private final List<CallTrace> traces = new CopyOnWriteArrayList<>();
  private final OtelTestKit kit = new OtelTestKit();
  private FanoutClient client;

  @AfterEach
  void tearDown() throws Exception {
    release.countDown();
    if (client != null) {
      client.close();
    }
    server.close();
    kit.close();
  }

  private void start() throws Exception {
    server.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse peek() {
        if (refuseNextStream.compareAndSet(true, false)) {
          refused.incrementAndGet();
          return new MockResponse.Builder().onRequestStart(new SocketEffect.CloseStream(REFUSED_STREAM)).build();
        }
        return super.peek();
      }

      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        String path = request.getUrl().encodedPath();
        if (path.equals("/")) {
          return super.peek(); // MockWebServer's own record of a stream refused before it was read: no request
        }
        connections.add(request.getConnectionIndex());
        int n = arrivals.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        switch (path) {
          case "/users/1": // its first stream was refused: this is its replay, inside the same attempt
            return Responses.user(1);
          case "/users/2": // a 429 whose pause the retry waits out in the governor
            return n == 1
                ? new MockResponse.Builder().code(429).setHeader("retry-after-ms", PAUSE.toMillis()).build()
                : Responses.user(2);
          case "/users/3": // the first request is held until the test ends: the hedge answers
            if (n == 1) {
              heldArrived.countDown();
              release.await(30, TimeUnit.SECONDS);
            }
            CountDownLatch gate = hedgeBodyGate;
            return gate == null ? Responses.user(3) : new MockResponse.Builder()
                .setHeader("Content-Type", "application/json")
                .bodyDelay(1, TimeUnit.NANOSECONDS) // MockWebServer then flushes the HTTP/2 headers before the body
                .body(new GatedBody("{\"id\":3,\"name\":\"User 3\",\"email\":\"user3@example.com\"}", gate))
                .build();
          default:
            return new MockResponse.Builder().code(404).build();
        }
      }
    });
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/").toString())
        .http2PriorKnowledge(true)
        .clock(clock)
        .totalTimeout(Duration.ZERO) // no deadline timer: the clock's next timer is the one each step waits for
        .governor(GovernorPolicy.builder().pauseJitter(0).build())
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).jitter(0).build())
        .hedging(HedgePolicy.builder().delay(HEDGE_DELAY).budget(1.0).build())
        .openTelemetry(kit.sdk)
        .traceListener(traces::add)
        .build();
  }

  @Test
  void theTracesTheStatsAndOpenTelemetryCountTheSameReplayHedgeAndGovernorWait() throws Exception {
    start();

    assertThat(hedgedCall().id()).isEqualTo(3);

    refuseNextStream.set(true);
    assertThat(client.users().getAsync(1).get(10, TimeUnit.SECONDS).id()).isEqualTo(1);
    assertThat(refused).as("the server refused users/1's first stream").hasValue(1);

    CompletableFuture<User> paused = client.users().getAsync(2);
    // The 429's pause holds the retry: the governor's wake-up timer is pending only while a request waits.
    eventually(() -> PAUSE.equals(clock.nextDelay()));
    clock.advance(PAUSE);
    assertThat(paused.get(10, TimeUnit.SECONDS).id()).isEqualTo(2);

    ClientStats stats = client.stats();
    Collection<MetricData> metrics = kit.metrics.collectAllMetrics();
    List<SpanData> callSpans = kit.finished().stream()
        .filter(s -> s.getAttributes().get(CALL_ATTEMPTS) != null).toList();
    assertThat(traces).hasSize(3);
    assertThat(callSpans).hasSize(3);

    assertThat(connections).as("one HTTP/2 connection: the refusal was armed for a stream on it").hasSize(1);

    // replays: users/1's refused stream
    int tracedReplays = traces.stream().mapToInt(CallTrace::replays).sum();
    assertThat(tracedReplays).isEqualTo(refused.get()).isEqualTo(trace("/users/1").replays());
    assertThat(stats.replays()).isEqualTo(tracedReplays);
    assertThat(events(kit.finished(), "fanout.replay")).hasSize(tracedReplays);
    assertThat(sum(metrics, "fanout.client.replays")).isEqualTo(tracedReplays);

    // hedges: users/3's backup, which won
    int tracedHedges = traces.stream().mapToInt(CallTrace::hedgesSent).sum();
    assertThat(tracedHedges).isEqualTo(1).isEqualTo(trace("/users/3").hedgesSent());
    assertThat(trace("/users/3").hedgesWon()).isEqualTo(1);
    assertThat(stats.hedgesSent()).isEqualTo(tracedHedges);
    assertThat(events(callSpans, "fanout.hedge")).hasSize(tracedHedges);
    assertThat(events(List.of(callSpan(callSpans, "/users/3")), "fanout.hedge")).hasSize(1);
    assertThat(sum(metrics, "fanout.client.hedges")).isEqualTo(tracedHedges);

    // governor waits: users/2's retry, held for the 429's pause
    long tracedWait = traces.stream().flatMap(t -> t.attemptTimes().stream())
        .mapToLong(CallTrace.Attempt::governorWaitNanos).sum();
    assertThat(tracedWait).isEqualTo(PAUSE.toNanos()).isEqualTo(trace("/users/2").governorWaitNanos());
    assertThat(stats.governorWaits()).isEqualTo(1);
    assertThat(stats.governorWaitTotal()).isEqualTo(Duration.ofNanos(tracedWait));
    List<EventData> waits = events(callSpans, "fanout.governor.wait");
    assertThat(waits).singleElement().satisfies(e ->
        assertThat(e.getAttributes().get(WAIT)).isEqualTo(tracedWait / 1e9));
    assertThat(events(List.of(callSpan(callSpans, "/users/2")), "fanout.governor.wait")).hasSize(1);
    assertThat(OtelTestKit.histogram(metrics, "fanout.client.governor.wait.duration"))
        .singleElement().satisfies(p -> {
          assertThat(p.getCount()).isEqualTo(1);
          assertThat(p.getSum()).isEqualTo(tracedWait / 1e9);
        });

    // the 429, and every request: attempts and hedges started, plus the replay, are what the server got
    assertThat(trace("/users/2").attempts()).isEqualTo(2);
    assertThat(stats.tooManyRequests()).isEqualTo(1).isEqualTo(sum(metrics, "fanout.client.rate_limited"));
    long tracedRequests = traces.stream().mapToLong(t -> t.attempts() + t.hedgesSent()).sum();
    assertThat(stats.attemptsStarted()).isEqualTo(tracedRequests).isEqualTo(5);
    long processed = arrivals.values().stream().mapToLong(AtomicInteger::get).sum();
    assertThat(processed).as("the server processed each attempt and hedge once: %s", arrivals).isEqualTo(tracedRequests);
    assertThat(processed + refused.get()).isEqualTo(tracedRequests + tracedReplays);
    assertThat(callSpans).extracting(s -> s.getAttributes().get(CALL_ATTEMPTS))
        .containsExactlyInAnyOrder(1L, 1L, 2L);
  }

  @Test
  void theRequestAHedgeBeatIsCancelledNotFailed() throws Exception {
    start();
    hedgeBodyGate = new CountDownLatch(1);

    CompletableFuture<User> hedged = sendHedgedCall();
    // The hedge's headers claim the attempt and cancel the held request while its body has still to come: the
    // loser ends before its call does
    eventually(() -> requestSpans("/users/3").size() == 1);
    assertThat(hedged).isNotDone();
    SpanData loser = requestSpans("/users/3").get(0);
    assertThat(loser.getStatus().getStatusCode()).as("%s", loser).isNotEqualTo(StatusCode.ERROR);
    assertThat(loser.getAttributes().get(ERROR_TYPE)).as("%s", loser).isNull();
    hedgeBodyGate.countDown();
    assertThat(hedged.get(10, TimeUnit.SECONDS).id()).isEqualTo(3);

    eventually(() -> requestSpans("/users/3").size() == 2);
    List<SpanData> requests = requestSpans("/users/3");
    assertThat(requests).allSatisfy(s -> {
      assertThat(s.getStatus().getStatusCode()).as("%s", s).isNotEqualTo(StatusCode.ERROR);
      assertThat(s.getAttributes().get(ERROR_TYPE)).as("%s", s).isNull();
    });
    assertThat(requests).filteredOn(s -> s.getAttributes().get(STATUS) != null).singleElement()
        .satisfies(s -> assertThat(s.getAttributes().get(STATUS)).isEqualTo(200L)); // the hedge's answer
    assertThat(callSpan(kit.finished().stream().filter(s -> s.getAttributes().get(CALL_ATTEMPTS) != null).toList(),
        "/users/3").getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);
  }

  /** A body written once {@code gate} opens, after the headers went out. */
  private static final class GatedBody implements MockResponseBody {
    private final byte[] bytes;
    private final CountDownLatch gate;

    GatedBody(String body, CountDownLatch gate) {
      this.bytes = body.getBytes(StandardCharsets.UTF_8);
      this.gate = gate;
    }

    @Override
    public long getContentLength() {
      return bytes.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IOException("the body's gate did not open");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      sink.write(bytes);
    }
  }

  /** Gets users/3, whose first request the server holds: the hedge sent after {@link #HEDGE_DELAY} answers. */
  private User hedgedCall() throws Exception {
    return sendHedgedCall().get(10, TimeUnit.SECONDS);
  }

  /** Starts {@link #hedgedCall}: returns once its first request is held and its hedge sent. */
  private CompletableFuture<User> sendHedgedCall() throws Exception {
    CompletableFuture<User> hedged = client.users().getAsync(3);
    assertThat(heldArrived.await(10, TimeUnit.SECONDS)).as("the first request of users/3 arrived").isTrue();
    eventually(() -> HEDGE_DELAY.equals(clock.nextDelay())); // the hedge timer is armed
    clock.advance(HEDGE_DELAY);
    return hedged;
  }

  /** The attempt spans (one per request: attempts and hedges) of the calls to {@code path}. */
  private List<SpanData> requestSpans(String path) {
    return kit.finished().stream()
        .filter(s -> s.getAttributes().get(CALL_ATTEMPTS) == null)
        .filter(s -> s.getAttributes().get(URL) != null && s.getAttributes().get(URL).endsWith(path))
        .toList();
  }

  private CallTrace trace(String path) {
    List<CallTrace> found = traces.stream().filter(t -> t.label().equals("GET " + path)).toList();
    assertThat(found).as("the trace of GET %s in %s", path, traces).hasSize(1);
    return found.get(0);
  }

  private static SpanData callSpan(List<SpanData> callSpans, String path) {
    List<SpanData> found = callSpans.stream()
        .filter(s -> s.getAttributes().get(URL) != null && s.getAttributes().get(URL).endsWith(path)).toList();
    assertThat(found).as("the call span of %s", path).hasSize(1);
    return found.get(0);
  }

  private static List<EventData> events(List<SpanData> spans, String name) {
    return spans.stream().flatMap(s -> s.getEvents().stream()).filter(e -> e.getName().equals(name)).toList();
  }

  private static long sum(Collection<MetricData> metrics, String name) {
    return OtelTestKit.longSum(metrics, name).stream().mapToLong(p -> p.getValue()).sum();
  }
}
