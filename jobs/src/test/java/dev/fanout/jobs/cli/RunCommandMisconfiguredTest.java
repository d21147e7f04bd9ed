package dev.fanout.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.jobs.JobResult;
import dev.fanout.jobs.JobSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What {@code fanout-jobs run} does when the run itself is misconfigured (nothing listens at the base URL, the
 * key is refused): it stops, writes no failure lines, names the cause and what to check, never the key, and
 * exits with 1; and how its summary names the first failure of a run that went through.
 */
@Timeout(60)
class RunCommandMisconfiguredTest {
  private static final String KEY = "sk-proj-wrong-0123456789abcdefghijklmn";

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final AtomicInteger answered = new AtomicInteger();
  private final MockWebServer server = new MockWebServer();
  private Path in;
  private Path results;

  @BeforeEach
  void setUp() throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        answered.incrementAndGet();
        return new MockResponse.Builder().code(401).setHeader("content-type", "application/json")
            .body("{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ".\","
                + "\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}")
            .build();
      }
    });
    server.start();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      lines.add("{\"custom_id\":\"r" + i + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
          + "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}");
    }
    in = dir.resolve("chat.jsonl");
    Files.write(in, lines);
    results = dir.resolve("o.jsonl");
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private int run(String baseUrl) {
    CommandLine cli = JobsMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute("run", "--input", in.toString(), "--output", results.toString(), "--base-url", baseUrl,
        "--api-key", KEY, "--max-in-flight", "8", "--progress", "none");
  }

  @Test
  void aRefusedKeyStopsTheRunNamesTheCauseAndNeverTheKey() throws Exception {
    assertThat(run(server.url("/").toString())).isEqualTo(1);

    String stderr = err.toString();
    assertThat(stderr.lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
        .startsWith("fanout-jobs run stopped: the server at " + server.getHostName() + ":" + server.getPort()
            + " refused the API key: HTTP 401")
        .endsWith("check the API key (missing, mistyped, revoked, or for another organization or project) "
            + "(--api-key, else $OPENAI_API_KEY)"));
    assertThat(stderr).contains("No result was written for the " + answered.get() + " requests that failed this way");
    assertThat(stderr + out).doesNotContain(KEY).doesNotContain(KEY.substring(0, 16));
    assertThat(out.toString()).startsWith("300 requests: 0 ok, 0 failed, 0 already in the output");
    assertThat(Files.readAllLines(results)).isEmpty();
    assertThat(answered.get()).isBetween(1, 8);
  }

  @Test
  void aRefusedConnectionStopsTheRunAndNamesTheHost() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }

    assertThat(run("http://127.0.0.1:" + closedPort)).isEqualTo(1);

    assertThat(err.toString().lines().findFirst()).hasValueSatisfying(line -> assertThat(line)
        .startsWith("fanout-jobs run stopped: ")
        .contains("127.0.0.1:" + closedPort + " refused the connection")
        .endsWith("check the base URL's host and port, and that the server is up (--base-url)"));
    assertThat(Files.readAllLines(results)).isEmpty();
  }

  @Test
  void theSummaryOfARunWithFailuresNamesTheFirstFailure() {
    JobResult first = JobResult.parse("{\"id\":\"batch_req_1\",\"custom_id\":\"r7\",\"response\":{\"status_code\":400,"
        + "\"request_id\":\"req_1\",\"body\":{\"error\":{\"message\":\"'messages' is a required property\"}}},"
        + "\"error\":null}");
    JobSummary s = new JobSummary(300, 0, 299, 1, 0, 300, 0, 0, Duration.ofSeconds(1), OptionalLong.empty(),
        OptionalLong.empty(), Optional.empty(), false, Optional.of(first));
    StringWriter printed = new StringWriter();

    RunCommand.print(s, new PrintWriter(printed, true));

    assertThat(printed.toString().lines()).startsWith("300 requests: 299 ok, 1 failed, 0 already in the output",
        "first failure: r7: HTTP 400: 'messages' is a required property");
  }
}
