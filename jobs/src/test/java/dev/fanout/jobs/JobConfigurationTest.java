package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.fanout.FanoutClient;
import dev.fanout.errors.ConnectionSetupException;
import dev.fanout.errors.UnauthorizedException;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose every request would fail the same way (no connection to the server, or the key refused with a
 * 401) stops at the first: nothing more is sent, the answers already in are written, the failures are not,
 * and a rerun sends every request not written. Failures of one line (400, 403, 404) stay results. A stop
 * that leaves nothing to do is not reported as a stop.
 */
@Timeout(60)
class JobConfigurationTest {
  static final String GOOD_KEY = "sk-proj-good-0123456789abcdefghijklmn";
  static final String BAD_KEY = "sk-proj-bad-9876543210zyxwvutsrqponm";
  private static final int MAX_IN_FLIGHT = 4;

  @TempDir
  Path dir;

  private final OpenAiLike api = new OpenAiLike();
  private final MockWebServer server = new MockWebServer();
  private final List<FanoutClient> clients = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    server.setDispatcher(api);
    server.start();
  }

  @AfterEach
  void tearDown() {
    clients.forEach(FanoutClient::close);
    server.close();
  }

  private FanoutClient client(String baseUrl, String key) {
    FanoutClient c = FanoutClient.builder().baseUrl(baseUrl).apiKey(key).build();
    clients.add(c);
    return c;
  }

  private Path input(String... ids) throws IOException {
    List<String> lines = new ArrayList<>();
    for (String id : ids) {
      lines.add(JobTest.chatLine(id));
    }
    Path p = dir.resolve("requests.jsonl");
    Files.write(p, lines);
    return p;
  }

  private Path input(int n) throws IOException {
    String[] ids = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = "r" + i;
    }
    return input(ids);
  }

  private JobSummary run(Path in, Path out, FanoutClient client) throws InterruptedException {
    return Job.builder().input(JobInput.of(in)).output(out).maxInFlight(MAX_IN_FLIGHT).build().run(client);
  }

  /**
   * An OpenAI-like chat endpoint: 401 (echoing the key, as OpenAI does in part) unless the bearer is
   * {@link #GOOD_KEY} and the key is not revoked; for a prompt naming {@code forbidden} a 403, {@code missing}
   * a 404, {@code bad} a 400; otherwise a 200. Counts its answers by status.
   */
  static final class OpenAiLike extends Dispatcher {
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger unauthorized = new AtomicInteger();
    final AtomicInteger ok = new AtomicInteger();
    /** After this many 200s the key is revoked: every request after it gets a 401. */
    volatile int revokeAfterOk = Integer.MAX_VALUE;
    final AtomicReference<Runnable> onLastOfInput = new AtomicReference<>();
    volatile int inputSize = Integer.MAX_VALUE;

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      int n = answered.incrementAndGet();
      if (n == inputSize && onLastOfInput.get() != null) {
        onLastOfInput.get().run(); // before it is answered: the job cannot have ended yet
      }
      String auth = request.getHeaders().get("Authorization");
      String body = request.getBody() == null ? "" : request.getBody().utf8();
      if (!("Bearer " + GOOD_KEY).equals(auth) || ok.get() >= revokeAfterOk) {
        unauthorized.incrementAndGet();
        String key = auth == null ? "" : auth.substring("Bearer ".length());
        return json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + key + ". You can find your API "
            + "key at https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\","
            + "\"param\":null,\"code\":\"invalid_api_key\"}}");
      }
      if (body.contains("say forbidden")) {
        return json(403, "{\"error\":{\"message\":\"You do not have access to the model gpt-4o-mini.\","
            + "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}");
      }
      if (body.contains("say missing")) {
        return json(404, "{\"error\":{\"message\":\"The model gpt-5-nano does not exist.\","
            + "\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}");
      }
      ok.incrementAndGet();
      return json(200, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
          + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}");
    }

    static MockResponse json(int status, String body) {
      return new MockResponse.Builder().code(status).setHeader("content-type", "application/json").body(body).build();
    }
  }

  @Test
  void aRefusedKeyStopsTheRunWritesNothingAndTheRerunSendsEveryRequest() throws Exception {
    Path in = input(40);
    Path out = dir.resolve("results.jsonl");

    JobConfigurationException e = catchThrowableOfType(
        () -> run(in, out, client(server.url("/").toString(), BAD_KEY)), JobConfigurationException.class);

    assertThat(e.getCause()).isInstanceOf(UnauthorizedException.class);
    assertThat(e.getMessage()).contains("the server at " + server.getHostName() + ":" + server.getPort()
        + " refused the API key: HTTP 401").contains("check the API key").doesNotContain(BAD_KEY);
    assertThat(Files.readAllLines(out)).as("no line for a run that is misconfigured").isEmpty();
    assertThat(api.answered.get()).as("nothing sent after the first 401 but those in flight")
        .isBetween(1, MAX_IN_FLIGHT);
    assertThat(e.notWritten()).isEqualTo(api.answered.get());
    assertThat(e.summary().stopped()).isTrue();
    assertThat(e.summary().ok() + e.summary().failed()).isZero();

    JobSummary rerun = run(in, out, client(server.url("/").toString(), GOOD_KEY));

    assertThat(rerun.ok()).isEqualTo(40);
    assertThat(rerun.skipped()).isZero();
    assertThat(JobTest.results(out)).hasSize(40).allSatisfy((id, r) -> assertThat(r.ok()).isTrue());
  }

  @Test
  void theAnswersAlreadyInAreWrittenWhenTheKeyIsRefusedMidRun() throws Exception {
    Path in = input(60);
    Path out = dir.resolve("results.jsonl");
    api.revokeAfterOk = 10;

    JobConfigurationException e = catchThrowableOfType(
        () -> run(in, out, client(server.url("/").toString(), GOOD_KEY)), JobConfigurationException.class);

    Map<String, JobResult> written = JobTest.results(out);
    assertThat(written).as("every 200 the server sent is written, and nothing else").hasSize(api.ok.get())
        .allSatisfy((id, r) -> assertThat(r.ok()).isTrue());
    assertThat(e.summary().ok()).isEqualTo(api.ok.get());
    assertThat(e.notWritten()).isEqualTo(api.unauthorized.get());
    assertThat(api.unauthorized.get()).as("no new request after the first 401").isBetween(1, MAX_IN_FLIGHT);

    api.revokeAfterOk = Integer.MAX_VALUE;
    int okBefore = api.ok.get();
    JobSummary rerun = run(in, out, client(server.url("/").toString(), GOOD_KEY));

    assertThat(rerun.skipped()).isEqualTo(okBefore);
    assertThat(JobTest.results(out)).hasSize(60).allSatisfy((id, r) -> assertThat(r.ok()).isTrue());
    assertThat(api.ok.get()).as("each request answered once with a 200").isEqualTo(60);
  }

  @Test
  void aRefusedConnectionStopsTheRunNamingTheHostAndTheRerunSendsEveryRequest() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Path in = input(40);
    Path out = dir.resolve("results.jsonl");

    JobConfigurationException e = catchThrowableOfType(
        () -> run(in, out, client("http://127.0.0.1:" + closedPort, GOOD_KEY)), JobConfigurationException.class);

    assertThat(e.getCause()).isInstanceOf(ConnectionSetupException.class);
    assertThat(((ConnectionSetupException) e.getCause()).reason())
        .isEqualTo(ConnectionSetupException.Reason.CONNECTION_REFUSED);
    assertThat(e.getMessage()).contains("127.0.0.1:" + closedPort + " refused the connection")
        .contains("check the base URL's host and port");
    assertThat(e.notWritten()).isBetween(1L, (long) MAX_IN_FLIGHT);
    assertThat(Files.readAllLines(out)).isEmpty();

    JobSummary rerun = run(in, out, client(server.url("/").toString(), GOOD_KEY));

    assertThat(rerun.ok()).isEqualTo(40);
    assertThat(JobTest.results(out)).hasSize(40);
  }

  @Test
  void anUntrustedCertificateStopsTheRun() throws Exception {
    Path in = input(20);
    Path out = dir.resolve("results.jsonl");
    try (MockBackend tls = MockBackend.builder().tls(true).recordedRequests(0).start()) {
      JobConfigurationException e = catchThrowableOfType(() -> run(in, out, client(tls.url(), GOOD_KEY)),
          JobConfigurationException.class);

      assertThat(((ConnectionSetupException) e.getCause()).reason())
          .isEqualTo(ConnectionSetupException.Reason.TLS_HANDSHAKE);
      assertThat(e.getMessage()).contains("certificate is trusted");
      assertThat(Files.readAllLines(out)).isEmpty();
      assertThat(tls.stats().requests(Routes.CHAT)).isZero();
    }
  }

  @Test
  void forbiddenAndNotFoundStayResultsOfTheirLineAndTheSummaryNamesTheFirstFailure() throws Exception {
    Path in = input("a", "forbidden", "b", "missing", "c");
    Path out = dir.resolve("results.jsonl");

    JobSummary s = run(in, out, client(server.url("/").toString(), GOOD_KEY));

    assertThat(s.ok()).isEqualTo(3);
    assertThat(s.failed()).isEqualTo(2);
    assertThat(s.stopped()).isFalse();
    Map<String, JobResult> results = JobTest.results(out);
    assertThat(results.get("forbidden").response().orElseThrow().statusCode()).isEqualTo(403);
    assertThat(results.get("missing").response().orElseThrow().statusCode()).isEqualTo(404);
    JobResult first = s.firstFailure().orElseThrow();
    assertThat(first.customId()).isIn("forbidden", "missing");
    assertThat(first.failure()).hasValue(first.customId().equals("forbidden")
        ? "HTTP 403: You do not have access to the model gpt-4o-mini."
        : "HTTP 404: The model gpt-5-nano does not exist.");
  }

  @Test
  void withStopOnConfigurationErrorOffA401IsWrittenAsTheLinesResult() throws Exception {
    Path in = input(5);
    Path out = dir.resolve("results.jsonl");

    JobSummary s = Job.builder().input(JobInput.of(in)).output(out).stopOnConfigurationError(false).build()
        .run(client(server.url("/").toString(), BAD_KEY));

    assertThat(s.failed()).isEqualTo(5);
    assertThat(JobTest.results(out)).hasSize(5)
        .allSatisfy((id, r) -> assertThat(r.response().orElseThrow().statusCode()).isEqualTo(401));
    assertThat(s.firstFailure().orElseThrow().failure().orElseThrow()).startsWith("HTTP 401: Incorrect API key");
  }

  @Test
  void aStopAfterTheWholeInputWasSentAndAnsweredIsNotAStop() throws Exception {
    Path in = input(12);
    Path out = dir.resolve("results.jsonl");
    Job job = Job.builder().input(JobInput.of(in)).output(out).maxInFlight(16).gracePeriod(Duration.ofSeconds(30))
        .build();
    AtomicBoolean stopped = new AtomicBoolean();
    api.inputSize = 12;
    api.onLastOfInput.set(() -> {
      job.stop();
      stopped.set(true);
    });

    JobSummary s = job.run(client(server.url("/").toString(), GOOD_KEY));

    assertThat(stopped).as("the stop came while the last request was in flight").isTrue();
    assertThat(s.ok()).isEqualTo(12);
    assertThat(s.stopped()).as("nothing left to do").isFalse();
    assertThat(s.complete()).isTrue();
    assertThat(JobTest.results(out)).hasSize(12);
  }
}
