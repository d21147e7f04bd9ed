package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.jobs.cli.JobsMain;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(120)
class BatchJobTest {
  @TempDir
  Path dir;

  private MockBackend server;
  private final AtomicLong clock = new AtomicLong();
  /** The Batch API client's clock: its retry pauses pass in fake time. */
  private final AutoAdvance time = new AutoAdvance();

  @AfterEach
  void tearDown() {
    if (server != null) {
      server.close();
    }
    time.close();
  }

  private void start(Duration completion) {
    start(completion, clock::get);
  }

  /** Starts the mock; its batches complete {@code completion} after they are created, by {@code meterClock}. */
  private void start(Duration completion, LongSupplier meterClock) {
    server = MockBackend.builder().latency(Latency.none()).recordedRequests(0).maxBodyBytes(64L << 20)
        .faults(Faults.builder().meterClock(meterClock).build()).batchCompletionTime(completion).start();
  }

  private Path input(int n) throws IOException {
    List<String> lines = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      lines.add(JobTest.chatLine("r" + i));
    }
    Path p = dir.resolve("requests.jsonl");
    Files.write(p, lines);
    return p;
  }

  /** The jobs command line, printing to {@code text}. */
  private static CommandLine cli(StringWriter text) {
    CommandLine cli = JobsMain.commandLine();
    cli.setOut(new PrintWriter(text));
    cli.setErr(new PrintWriter(text));
    return cli;
  }

  private OpenAiBatches api() {
    return OpenAiBatches.builder().baseUrl(server.url()).apiKey("sk-test").clock(time.clock()).build();
  }

  @Test
  void twoThousandRequestsThroughTheBatchApiInOneCommandLikeRun() throws Exception {
    start(Duration.ZERO);
    Path in = input(2000);
    Path out = dir.resolve("results.jsonl");
    StringWriter text = new StringWriter();
    CommandLine cli = cli(text);

    int code = cli.execute("submit", "--input", in.toString(), "--output", out.toString(), "--base-url",
        server.url(), "--api-key", "sk-test", "--wait", "--poll-interval", "10ms");

    assertThat(code).as(text.toString()).isZero();
    Map<String, JobResult> results = JobTest.results(out);
    assertThat(results).hasSize(2000);
    assertThat(results.values()).allMatch(JobResult::ok);
    JobResult r5 = results.get("r5");
    assertThat(r5.id()).startsWith("batch_req_");
    assertThat(r5.response().get().requestId()).startsWith("req_");
    assertThat(r5.response().get().body().path("choices").get(0).path("message").path("content").asText())
        .contains("say r5");
    assertThat(server.stats().requests(Routes.CHAT)).as("no real-time calls").isZero();

    // fetching again appends nothing
    try (OpenAiBatches api = api()) {
      BatchJob.Fetched again = BatchJob.resume(out).fetch(api);
      assertThat(again.appended()).isZero();
    }
    assertThat(Files.readAllLines(out)).hasSize(2000);
  }

  @Test
  void submitWithoutWaitThenFetchWithWaitPollsAtItsIntervalAndAppendsEveryResult() throws Exception {
    start(Duration.ZERO);
    Path in = input(20);
    Path out = dir.resolve("results.jsonl");
    StringWriter text = new StringWriter();
    CommandLine cli = cli(text);
    String[] api = {"--output", out.toString(), "--base-url", server.url(), "--api-key", "sk-test"};

    int submitted = cli.execute(concat(new String[] {"submit", "--input", in.toString()}, api));
    assertThat(submitted).as(text.toString()).isZero();
    assertThat(text.toString()).contains("Check with 'status --output");
    assertThat(out).doesNotExist();

    int fetched = cli.execute(concat(new String[] {"fetch", "--wait", "--poll-interval", "10ms"}, api));
    assertThat(fetched).as(text.toString()).isZero();
    assertThat(text.toString()).contains("20 results appended");
    assertThat(JobTest.results(out)).hasSize(20);

    int status = cli.execute(concat(new String[] {"status", "--poll-interval", "10ms"}, api));
    assertThat(status).as("status does not poll, so it takes no --poll-interval").isEqualTo(2);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void awaitPollsAtItsIntervalOnTheClientsClockUntilTheBatchEnds() throws Exception {
    start(Duration.ofMinutes(2), time.clock()::nanoTime); // the mock's batches run on the client's fake time
    Path out = dir.resolve("results.jsonl");
    BatchJob job = BatchJob.of(JobInput.of(input(20)), out);
    List<String> polled = new CopyOnWriteArrayList<>();

    try (OpenAiBatches api = api()) {
      job.submit(api);
      BatchJob.Fetched f = job.await(api, Duration.ofSeconds(30), s -> polled.add(s.get(0).part().status()));

      assertThat(f.appended()).isEqualTo(20);
      assertThat(f.ok()).isEqualTo(20);
    }
    assertThat(polled).containsExactly("in_progress", "in_progress", "in_progress", "in_progress", "completed");
    assertThat(time.delays()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30),
        Duration.ofSeconds(30), Duration.ofSeconds(30));
    assertThat(time.clock().elapsed()).isEqualTo(Duration.ofMinutes(2));
    assertThat(JobTest.results(out)).hasSize(20);
  }

  @Test
  void awaitRefusesANegativePollInterval() throws Exception {
    BatchJob job = BatchJob.resume(dir.resolve("results.jsonl"));
    try (OpenAiBatches api = OpenAiBatches.builder().build()) {
      assertThatThrownBy(() -> job.await(api, Duration.ofSeconds(-1), s -> { }))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("pollInterval < 0: PT-1S");
    }
  }

  @Test
  void aBadLineInAFetchedFileNamesTheFileAndTheLine() throws Exception {
    String good = "{\"id\":\"batch_req_1\",\"custom_id\":\"a\",\"response\":{\"status_code\":200,"
        + "\"request_id\":\"req_1\",\"body\":{}},\"error\":null}";
    try (MockWebServer files = new MockWebServer()) {
      files.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return switch (request.getUrl().encodedPath()) {
            case "/v1/batches/batch_x" -> new MockResponse.Builder().setHeader("Content-Type", "application/json")
                .body("{\"id\":\"batch_x\",\"object\":\"batch\",\"status\":\"completed\","
                    + "\"output_file_id\":\"file-out\",\"error_file_id\":\"file-err\"}").build();
            case "/v1/files/file-out/content" -> new MockResponse.Builder().body(good + "\n").build();
            case "/v1/files/file-err/content" -> new MockResponse.Builder()
                .body("\n{\"id\":\"batch_req_2\",\"error\":null}\n").build();
            default -> new MockResponse.Builder().code(404).build();
          };
        }
      });
      files.start();
      Path out = dir.resolve("results.jsonl");
      BatchJob job = BatchJob.resume(out);
      Files.writeString(job.stateFile(), "{\"batches\":[{\"first_line\":1,\"last_line\":2,\"requests\":2,"
          + "\"endpoint\":\"/v1/chat/completions\",\"input_file_id\":\"file-in\",\"batch_id\":\"batch_x\","
          + "\"status\":\"in_progress\",\"fetched\":false}]}");

      try (OpenAiBatches api = OpenAiBatches.builder().baseUrl(files.url("/").toString()).build()) {
        assertThatThrownBy(() -> job.fetch(api)).isInstanceOf(OpenAiBatches.BatchApiException.class)
            .hasMessage("error file file-err, line 2: not a result line (no custom_id)");
      }
      assertThat(JobTest.results(out)).containsOnlyKeys("a");
      assertThat(Files.readString(job.stateFile())).contains("\"fetched\" : false");
    }
  }

  @Test
  void aFileOverTheRequestLimitBecomesSeveralBatchesAndEachRunsUntilTheClockSaysDone() throws Exception {
    start(Duration.ofHours(1));
    Path in = input(120_000);
    Path out = dir.resolve("results.jsonl");
    BatchJob job = BatchJob.of(JobInput.of(in), out);

    try (OpenAiBatches api = api()) {
      List<BatchJob.Part> parts = job.submit(api);

      assertThat(parts).extracting(BatchJob.Part::requests).containsExactly(50_000L, 50_000L, 20_000L);
      assertThat(parts).extracting(BatchJob.Part::firstLine).containsExactly(1L, 50_001L, 100_001L);
      assertThat(parts).allMatch(p -> p.batchId().startsWith("batch_"));
      List<BatchJob.Status> statuses = job.status(api);
      assertThat(statuses).extracting(s -> s.part().status()).containsOnly("in_progress");
      assertThat(statuses.get(2).batch().path("request_counts").path("total").asLong()).isEqualTo(20_000);
      assertThat(job.fetch(api).pendingBatches()).isEqualTo(3);
      // a second submit (say after a crash) creates no new batch
      assertThat(job.submit(api)).extracting(BatchJob.Part::batchId)
          .containsExactlyElementsOf(parts.stream().map(BatchJob.Part::batchId).toList());
    }
  }

  @Test
  void partsAreCutByBytesAndByEndpointAndOnlyWhatTheOutputLacksIsSubmitted() throws Exception {
    start(Duration.ofSeconds(5));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      lines.add(JobTest.chatLine("c" + i));
    }
    for (int i = 0; i < 5; i++) {
      lines.add("{\"custom_id\":\"e" + i + "\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{\"model\":"
          + "\"text-embedding-3-small\",\"input\":\"hello " + i + "\"}}");
    }
    Path in = dir.resolve("mixed.jsonl");
    Files.write(in, lines);
    Path out = dir.resolve("results.jsonl");
    Files.writeString(out, ResultFileTest.ok("c0").toJsonLine() + "\n");
    long lineBytes = JobTest.chatLine("c10").length() + 1;
    BatchJob job = BatchJob.of(JobInput.of(in), out, 50_000, lineBytes * 10);

    try (OpenAiBatches api = api()) {
      List<BatchJob.Part> parts = job.submit(api);

      assertThat(parts).extracting(BatchJob.Part::endpoint).containsExactly("/v1/chat/completions",
          "/v1/chat/completions", "/v1/chat/completions", "/v1/embeddings");
      assertThat(parts.stream().mapToLong(BatchJob.Part::requests).sum()).isEqualTo(34); // c0 was done
      assertThat(job.fetch(api).pendingBatches()).isEqualTo(4);
      clock.addAndGet(Duration.ofSeconds(5).toNanos());
      BatchJob.Fetched f = job.fetch(api);
      assertThat(f.fetchedBatches()).isEqualTo(4);
      assertThat(f.appended()).isEqualTo(34);
      assertThat(f.ok()).isEqualTo(34);
    }
    Map<String, JobResult> results = JobTest.results(out);
    assertThat(results).hasSize(35);
    assertThat(results.get("e3").response().get().body().path("data").get(0).path("embedding").isArray()).isTrue();
  }

  @Test
  void badInputIsRefusedBeforeAnyUpload() throws Exception {
    start(Duration.ZERO);
    Path in = dir.resolve("bad.jsonl");
    Files.write(in, List.of(JobTest.chatLine("a"), "{\"custom_id\":\"g\",\"method\":\"GET\",\"url\":\"/v1/models\"}"));

    try (OpenAiBatches api = api()) {
      assertThatThrownBy(() -> BatchJob.of(JobInput.of(in), dir.resolve("o.jsonl")).submit(api))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("bad.jsonl:2: the Batch API takes POST");
    }
    assertThat(server.stats().requests(Routes.BATCH)).isZero();
  }

  @Test
  void theMockAnswersAsOpenAiDocuments() throws Exception {
    start(Duration.ZERO);
    try (OpenAiBatches api = api()) {
      assertThatThrownBy(() -> api.createBatch("file-missing", "/v1/chat/completions", null))
          .isInstanceOf(OpenAiBatches.BatchApiException.class).hasMessageContaining("HTTP 404")
          .hasMessageContaining("No such File object: file-missing");
      Path part = dir.resolve("dup.jsonl");
      Files.write(part, List.of(JobTest.chatLine("a"), JobTest.chatLine("a")));
      JsonNode file = api.uploadBatchFile(part, "dup.jsonl");
      assertThat(file.path("object").asText()).isEqualTo("file");
      assertThat(file.path("purpose").asText()).isEqualTo("batch");
      assertThat(file.path("bytes").asLong()).isEqualTo(Files.size(part));
      assertThatThrownBy(() -> api.createBatch(file.get("id").asText(), "/v1/chat/completions/x", null))
          .hasMessageContaining("HTTP 400").hasMessageContaining("Invalid value for 'endpoint'");
      JsonNode batch = api.createBatch(file.get("id").asText(), "/v1/chat/completions", null);
      assertThat(batch.path("status").asText()).isEqualTo("validating");
      assertThat(batch.path("completion_window").asText()).isEqualTo("24h");
      JsonNode failed = api.batch(batch.get("id").asText());
      assertThat(failed.path("status").asText()).isEqualTo("failed");
      JsonNode error = failed.path("errors").path("data").get(0);
      assertThat(error.path("code").asText()).isEqualTo("duplicate_custom_id");
      assertThat(error.path("line").asInt()).isEqualTo(2);
      assertThatThrownBy(() -> api.cancelBatch(batch.get("id").asText())).hasMessageContaining("HTTP 409");
    }
    // a 409 is retried (as openai-java does): its pauses passed on the fake clock
    assertThat(time.delays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(8));
  }
}
