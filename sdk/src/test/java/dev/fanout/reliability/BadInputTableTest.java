package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatRequest;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.TransportException;
import dev.fanout.testsupport.AutoAdvance;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input gets a clear, typed error that names the bad value: builder options, arguments, and a
 * hostile or broken server (not JSON, wrong shape, empty, over the size cap, a redirect loop, a week-long
 * Retry-After, streams without [DONE] or with garbage). One row per case.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class BadInputTableTest {
  static final long OVER_CAP = FanoutClient.DEFAULT_MAX_RESPONSE_BYTES + 1;
  static final AtomicInteger loopRequests = new AtomicInteger();
  static MockWebServer server;
  static final List<FanoutClient> clients = new ArrayList<>();
  static final AutoAdvance time = new AutoAdvance();

  @BeforeAll
  static void start() throws Exception {
    server = new MockWebServer();
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        switch (path) {
          case "/notjson":
            return json(200, "<html>Service temporarily unavailable</html>");
          case "/wrongshape":
            return json(200, "[1,2,3]");
          case "/wrongtype":
            return json(200, "{\"id\":\"seven\",\"name\":\"x\",\"email\":\"y\"}");
          case "/empty":
            return json(200, "");
          case "/blank":
            return json(200, "  \n ");
          case "/huge-declared":
            return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .body(new Buffer().write(new byte[(int) OVER_CAP])).build();
          case "/huge-chunked":
            return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .chunkedBody(new Buffer().write(new byte[(int) OVER_CAP]), 1 << 16).build();
          case "/gzip-bomb":
            return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
                .setHeader("Content-Encoding", "gzip").body(gzipBomb()).build();
          case "/loop":
            loopRequests.incrementAndGet();
            return new MockResponse.Builder().code(302).setHeader("Location", "/loop").build();
          case "/week":
            return new MockResponse.Builder().code(429).setHeader("Retry-After", "604800")
                .setHeader("Content-Type", "application/json").body("{\"error\":\"slow down\"}").build();
          case "/nodone/v1/chat/completions":
            return sse("data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n");
          case "/garbage/v1/chat/completions":
            return sse("this is not an event\n\ndata: <<garbage>>\n\ndata: [DONE]\n\n");
          case "/errorevent/v1/chat/completions":
            return sse("data: {\"error\":{\"message\":\"overloaded\"}}\n\ndata: [DONE]\n\n");
          default:
            return json(404, "{\"error\":\"no route\"}");
        }
      }
    });
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    clients.forEach(FanoutClient::close);
    server.close();
    time.close();
  }

  private static Buffer bomb;

  /** 256 MiB of zeros, gzipped to about 256 KiB (made once). */
  static synchronized Buffer gzipBomb() {
    if (bomb == null) {
      Buffer compressed = new Buffer();
      try (okio.BufferedSink gzip = okio.Okio.buffer(new okio.GzipSink(compressed))) {
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < 256; i++) {
          gzip.write(zeros);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      bomb = compressed;
    }
    return bomb.clone();
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  static MockResponse sse(String body) {
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream").body(body).build();
  }

  static synchronized FanoutClient client(String basePath, RetryPolicy policy) {
    FanoutClient c = FanoutClient.builder().baseUrl(server.url(basePath).toString())
        .retryPolicy(policy).clock(time.clock()).streamIdleTimeout(java.time.Duration.ZERO).totalTimeout(java.time.Duration.ZERO).build();
    clients.add(c);
    return c;
  }

  static FanoutClient client() {
    return client("/", RetryPolicy.none());
  }

  static ChatRequest hello() {
    return ChatRequest.builder().model("m").addUserMessage("hi").build();
  }

  static Arguments row(String name, ThrowingCallable call, Class<? extends Throwable> type, String... fragments) {
    return Arguments.of(name, call, type, fragments);
  }

  static Stream<Arguments> cases() {
    Function<String, Object> task = s -> null;
    return Stream.of(
        // The client builder.
        row("baseUrl null", () -> FanoutClient.builder().baseUrl((String) null), IllegalArgumentException.class, "baseUrl == null"),
        row("baseUrl empty", () -> FanoutClient.builder().baseUrl(""), IllegalArgumentException.class, "baseUrl is blank"),
        row("baseUrl blank", () -> FanoutClient.builder().baseUrl("   "), IllegalArgumentException.class, "baseUrl is blank", "\"   \""),
        row("baseUrl relative", () -> FanoutClient.builder().baseUrl("/v1/api"), IllegalArgumentException.class, "/v1/api"),
        row("baseUrl no scheme", () -> FanoutClient.builder().baseUrl("localhost:8080"), IllegalArgumentException.class, "localhost:8080"),
        row("baseUrl ftp", () -> FanoutClient.builder().baseUrl("ftp://files.example"), IllegalArgumentException.class, "ftp://files.example"),
        row("baseUrl file", () -> FanoutClient.builder().baseUrl("file:///etc/passwd"), IllegalArgumentException.class, "file:///etc/passwd"),
        row("baseUrl no host", () -> FanoutClient.builder().baseUrl("http://"), IllegalArgumentException.class, "http://"),
        row("baseUrl with query", () -> FanoutClient.builder().baseUrl("http://h.example/?a=1"), IllegalArgumentException.class, "query", "a=1"),
        row("baseUrl missing at build", () -> FanoutClient.builder().build(), IllegalStateException.class, "baseUrl == null"),
        row("maxInFlight 0", () -> FanoutClient.builder().maxInFlight(0), IllegalArgumentException.class, "maxInFlight < 1: 0"),
        row("maxInFlight negative", () -> FanoutClient.builder().maxInFlight(-8), IllegalArgumentException.class, "maxInFlight < 1: -8"),
        row("connectTimeout negative", () -> FanoutClient.builder().connectTimeout(Duration.ofSeconds(-1)), IllegalArgumentException.class, "connectTimeout", "PT-1S"),
        row("readTimeout negative", () -> FanoutClient.builder().readTimeout(Duration.ofMillis(-5)), IllegalArgumentException.class, "readTimeout", "PT-0.005S"),
        row("writeTimeout null", () -> FanoutClient.builder().writeTimeout(null), IllegalArgumentException.class, "writeTimeout == null"),
        row("totalTimeout negative", () -> FanoutClient.builder().totalTimeout(Duration.ofMinutes(-2)), IllegalArgumentException.class, "totalTimeout", "PT-2M"),
        row("attemptTimeout negative", () -> FanoutClient.builder().attemptTimeout(Duration.ofSeconds(-3)), IllegalArgumentException.class, "attemptTimeout", "PT-3S"),
        row("clock null", () -> FanoutClient.builder().clock(null), NullPointerException.class, "clock == null"),
        row("call timeout zero", () -> dev.fanout.CallOptions.builder().timeout(Duration.ZERO), IllegalArgumentException.class, "timeout <= 0: PT0S"),
        row("call header Authorization", () -> dev.fanout.CallOptions.builder().header("authorization", "x"), IllegalArgumentException.class, "Authorization"),
        row("maxResponseBytes 0", () -> FanoutClient.builder().maxResponseBytes(0), IllegalArgumentException.class, "maxResponseBytes < 1: 0"),
        row("apiKey blank", () -> FanoutClient.builder().apiKey(" "), IllegalArgumentException.class, "apiKey is blank"),
        // Retry policy.
        row("maxAttempts 0", () -> RetryPolicy.builder().maxAttempts(0), IllegalArgumentException.class, "maxAttempts < 1: 0"),
        row("maxAttempts negative", () -> RetryPolicy.builder().maxAttempts(-3), IllegalArgumentException.class, "maxAttempts < 1: -3"),
        row("initialBackoff negative", () -> RetryPolicy.builder().initialBackoff(Duration.ofMillis(-1)), IllegalArgumentException.class, "initialBackoff", "PT-0.001S"),
        row("multiplier below 1", () -> RetryPolicy.builder().multiplier(0.5), IllegalArgumentException.class, "multiplier", "0.5"),
        row("jitter above 1", () -> RetryPolicy.builder().jitter(1.5), IllegalArgumentException.class, "jitter", "1.5"),
        row("retryAfterCap negative", () -> RetryPolicy.builder().retryAfterCap(Duration.ofSeconds(-9)), IllegalArgumentException.class, "retryAfterCap", "PT-9S"),
        row("maxRetryAfter negative", () -> RetryPolicy.builder().maxRetryAfter(Duration.ofSeconds(-9)), IllegalArgumentException.class, "maxRetryAfter", "PT-9S"),
        // Fan-out options and inputs.
        row("fan-out maxConcurrency 0", () -> FanoutOptions.builder().maxConcurrency(0), IllegalArgumentException.class, "maxConcurrency < 1: 0"),
        row("fan-out timeout zero", () -> FanoutOptions.builder().timeout(Duration.ZERO), IllegalArgumentException.class, "timeout <= 0: PT0S"),
        row("fan-out timeout negative", () -> FanoutOptions.builder().timeout(Duration.ofSeconds(-4)), IllegalArgumentException.class, "PT-4S"),
        row("null id among inputs", () -> Fanout.all(Arrays.asList("a", null, "c"), (s, context) -> null, FanoutOptions.defaults()), IllegalArgumentException.class, "inputs[1] == null"),
        row("firstK beyond inputs", () -> Fanout.firstK(5, List.of("a", "b"), (s, context) -> null, FanoutOptions.defaults()), IllegalArgumentException.class, "[1..2]", "5"),
        row("firstK zero", () -> Fanout.firstK(0, List.of("a"), (s, context) -> null, FanoutOptions.defaults()), IllegalArgumentException.class, ": 0"),
        row("firstSuccess of nothing", () -> Fanout.firstSuccess(List.of(), (s, context) -> null, FanoutOptions.defaults()), IllegalArgumentException.class, "at least one input"),
        // Arguments of calls.
        row("user id 0", () -> client().users().getAsync(0), IllegalArgumentException.class, "id < 1: 0"),
        row("user id negative", () -> client().users().getAsync(-42), IllegalArgumentException.class, "id < 1: -42"),
        row("absolute path", () -> client().json().getAsync("http://evil.example/steal", Object.class), IllegalArgumentException.class, "http://evil.example/steal"),
        row("scheme-relative path", () -> client().json().getAsync("//evil.example/steal", Object.class), IllegalArgumentException.class, "//evil.example/steal"),
        row("chat temperature", () -> ChatRequest.builder().temperature(3.5), IllegalArgumentException.class, "3.5"),
        row("chat maxTokens", () -> ChatRequest.builder().maxTokens(0), IllegalArgumentException.class, "maxTokens < 1: 0"),
        row("chat without messages", () -> ChatRequest.builder().model("m").build(), IllegalStateException.class, "messages is empty"),
        // A broken or hostile server.
        row("not JSON", () -> client().json().get("notjson", User.class), DecodeException.class, "GET /notjson", "not a valid User"),
        row("wrong shape", () -> client().json().get("wrongshape", User.class), DecodeException.class, "GET /wrongshape", "User"),
        row("wrong field type", () -> client().json().get("wrongtype", User.class), DecodeException.class, "GET /wrongtype", "seven"),
        row("empty body", () -> client().json().get("empty", User.class), DecodeException.class, "GET /empty", "empty response body"),
        row("blank body", () -> client().json().get("blank", User.class), DecodeException.class, "GET /blank", "empty response body"),
        row("body over the cap (declared)", () -> client().json().get("huge-declared", Object.class), DecodeException.class,
            "GET /huge-declared", OVER_CAP + " bytes", "maxResponseBytes " + FanoutClient.DEFAULT_MAX_RESPONSE_BYTES),
        row("body over the cap (chunked)", () -> client().json().get("huge-chunked", Object.class), DecodeException.class,
            "GET /huge-chunked", "exceeds maxResponseBytes " + FanoutClient.DEFAULT_MAX_RESPONSE_BYTES),
        row("gzip bomb (256 MiB of zeros in 256 KiB)", () -> client().json().get("gzip-bomb", Object.class), DecodeException.class,
            "GET /gzip-bomb", "exceeds maxResponseBytes " + FanoutClient.DEFAULT_MAX_RESPONSE_BYTES),
        row("redirect loop", () -> client().json().get("loop", Object.class), TransportException.class, "GET /loop", "Too many follow-up requests"),
        row("Retry-After of a week", () -> client("/", RetryPolicy.builder().maxAttempts(2).build()).json().get("week", Object.class),
            RateLimitedException.class, "GET /week", "retry after 604800000 ms"),
        row("stream without [DONE]", () -> client("/nodone/", RetryPolicy.none()).chat().stream(hello(), d -> {}), DecodeException.class,
            "POST /nodone/v1/chat/completions", "without [DONE]"),
        row("stream with garbage", () -> client("/garbage/", RetryPolicy.none()).chat().stream(hello(), d -> {}), DecodeException.class,
            "POST /garbage/v1/chat/completions", "<<garbage>>"),
        row("stream carrying an error", () -> client("/errorevent/", RetryPolicy.none()).chat().stream(hello(), d -> {}), ServerException.class,
            "stream carried an error", "overloaded"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputGetsATypedErrorNamingTheValue(
      String name, ThrowingCallable call, Class<? extends Throwable> type, String[] fragments) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).as(name).isInstanceOf(type);
    for (String fragment : fragments) {
      assertThat(thrown.getMessage()).as(name).contains(fragment);
    }
  }

  @Test
  void theTableHasAtLeastThirtyCases() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void aWeekLongRetryAfterFailsFastByDefault() {
    try (AutoAdvance own = new AutoAdvance();
        FanoutClient c = FanoutClient.builder().baseUrl(server.url("/").toString())
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).build()).clock(own.clock()).streamIdleTimeout(java.time.Duration.ZERO).totalTimeout(java.time.Duration.ZERO).build()) {
      Throwable thrown = catchThrowable(() -> c.json().get("week", Object.class));
      assertThat(thrown).isInstanceOfSatisfying(RateLimitedException.class, e -> {
        assertThat(e.retryAfter()).isEqualTo(Duration.ofDays(7));
        assertThat(e.attempts()).isEqualTo(1);
      });
      assertThat(own.delays()).isEmpty();
    }
  }

  @Test
  void aWeekLongRetryAfterIsCappedAtTheDefaultCapWhenMaxRetryAfterIsLifted() {
    try (AutoAdvance own = new AutoAdvance();
        FanoutClient c = FanoutClient.builder().baseUrl(server.url("/").toString())
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).maxRetryAfter(Duration.ZERO).build())
            // The retry policy's own cap; with the governor on, its maxPause caps the bucket's pause instead
            // (GovernedRetryTest.aWeekLongRetryAfterPausesTheBucketForAtMostMaxPause).
            .governor(dev.fanout.GovernorPolicy.disabled())
            .clock(own.clock()).streamIdleTimeout(java.time.Duration.ZERO).totalTimeout(java.time.Duration.ZERO).build()) {
      Throwable thrown = catchThrowable(() -> c.json().get("week", Object.class));
      assertThat(thrown).isInstanceOfSatisfying(RateLimitedException.class, e -> {
        assertThat(e.retryAfter()).isEqualTo(Duration.ofDays(7));
        assertThat(e.attempts()).isEqualTo(2);
      });
      assertThat(own.delays()).containsExactly(RetryPolicy.DEFAULT_RETRY_AFTER_CAP);
    }
  }

  @Test
  void aRedirectLoopIsNotRetried() {
    loopRequests.set(0);
    try (AutoAdvance own = new AutoAdvance();
        FanoutClient c = FanoutClient.builder().baseUrl(server.url("/").toString()).clock(own.clock()).streamIdleTimeout(java.time.Duration.ZERO).totalTimeout(java.time.Duration.ZERO).build()) {
      Throwable thrown = catchThrowable(() -> c.json().get("loop", Object.class));
      assertThat(thrown).isInstanceOf(TransportException.class).hasMessageContaining("Too many follow-up requests");
      // OkHttp follows 20 redirects and gives up; retrying would only repeat the same 21 requests.
      assertThat(loopRequests.get()).isEqualTo(21);
    }
  }

  @Test
  void anEmptyFanOutReturnsEmptyAtOnce() throws Exception {
    FanoutFuture<List<Object>> all = Fanout.all(List.of(), (s, context) -> null, FanoutOptions.defaults());
    assertThat(all).isDone();
    assertThat(all.get(1, TimeUnit.SECONDS)).isEmpty();
    assertThat(Fanout.settleAll(List.of(), (s, context) -> null, FanoutOptions.builder().timeout(Duration.ofSeconds(1)).build())
        .get(1, TimeUnit.SECONDS)).isEmpty();
    assertThat(Fanout.sequential(List.of(), (s, context) -> null, FanoutOptions.defaults()).await()).isEmpty();
    List<Object> seen = new ArrayList<>();
    assertThat(Fanout.asCompleted(List.of(), (s, context) -> null, FanoutOptions.defaults(), seen::add).get(1, TimeUnit.SECONDS)).isEmpty();
    assertThat(seen).isEmpty();
    assertThat(Fanout.asCompletedStream(List.of(), (s, context) -> null, FanoutOptions.defaults()).count()).isZero();
    assertThat(all.report().entries()).isEmpty();
    assertThat(all.report().finished()).isTrue();
  }

  @Test
  void aHugeBodyIsRefusedWithoutReadingItAll() {
    // The cap holds with a small heap too: at most cap + 1 bytes are buffered, never the body a server sends.
    try (FanoutClient c = FanoutClient.builder().baseUrl(server.url("/").toString()).maxResponseBytes(1024)
        .retryPolicy(RetryPolicy.none()).build()) {
      Throwable thrown = catchThrowable(() -> c.json().get("huge-chunked", Map.class));
      assertThat(thrown).isInstanceOf(DecodeException.class).hasMessageContaining("exceeds maxResponseBytes 1024");
    }
  }

  @Test
  void aStreamWithOneHugeEventIsCutAtTheCapNotBuffered() throws Exception {
    // One 4 GiB "data:" line: the stream must fail soon after maxResponseBytes, not buffer the line until it
    // runs out of memory. (OkHttp then drains the connection for at most 100 ms before closing it.)
    long huge = 4L << 30;
    java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
    try (MockWebServer hostile = new MockWebServer()) {
      hostile.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "text/event-stream")
          .body(new mockwebserver3.MockResponseBody() {
            @Override
            public long getContentLength() {
              return huge + 8;
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
              sink.writeUtf8("data: ");
              byte[] chunk = new byte[64 * 1024];
              java.util.Arrays.fill(chunk, (byte) 'a');
              for (long n = 0; n < huge; n += chunk.length) {
                sink.write(chunk);
                written.addAndGet(chunk.length);
              }
              sink.writeUtf8("\n\n");
            }
          }).build());
      hostile.start();
      try (FanoutClient c = FanoutClient.builder().baseUrl(hostile.url("/").toString()).maxResponseBytes(64 * 1024)
          .retryPolicy(RetryPolicy.none()).build()) {
        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> c.chat().stream(hello(), d -> {}));
        assertThat(thrown).isInstanceOf(DecodeException.class).hasMessageContaining("maxResponseBytes 65536");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      }
      assertThat(written.get()).isLessThan(1L << 30);
    }
  }
}
