package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class JobTest {
  @TempDir
  Path dir;

  private MockBackend server;
  private FanoutClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(Duration latency, boolean v1InBaseUrl) {
    server = MockBackend.builder().latency(Latency.fixed(latency)).recordedRequests(0).start();
    client = FanoutClient.builder().baseUrl(v1InBaseUrl ? server.openAiBaseUrl() : server.url()).apiKey("sk-test")
        .build();
  }

  static String chatLine(String id) {
    return "{\"custom_id\":\"" + id + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":"
        + "\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"say " + id + "\"}],\"max_tokens\":8}}";
  }

  private Path input(int n) throws IOException {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(chatLine("r" + i));
    }
    Path p = dir.resolve("requests.jsonl");
    Files.write(p, lines);
    return p;
  }

  static Map<String, JobResult> results(Path output) throws IOException {
    List<JobResult> all = Files.readAllLines(output).stream().map(JobResult::parse).collect(Collectors.toList());
    Map<String, JobResult> byId = all.stream().collect(Collectors.toMap(JobResult::customId, Function.identity()));
    assertThat(byId).as("each custom_id once").hasSize(all.size());
    return byId;
  }

  @ParameterizedTest(name = "base URL with /v1: {0}")
  @ValueSource(booleans = {false, true})
  void sendsEveryRequestOnceAndWritesEachResult(boolean v1InBaseUrl) throws Exception {
    start(Duration.ofMillis(20), v1InBaseUrl);
    Path out = dir.resolve("results.jsonl");
    AtomicInteger heard = new AtomicInteger();

    JobSummary s = Job.builder().input(JobInput.of(input(40))).output(out)
        .listener(new JobListener() {
          @Override
          public void onResult(JobResult result) {
            heard.incrementAndGet();
          }
        })
        .build().run(client);

    assertThat(s.total()).isEqualTo(40);
    assertThat(s.ok()).isEqualTo(40);
    assertThat(s.failed()).isZero();
    assertThat(s.stopped()).isFalse();
    assertThat(heard).hasValue(40);
    Map<String, JobResult> results = results(out);
    assertThat(results).hasSize(40);
    JobResult r7 = results.get("r7");
    assertThat(r7.ok()).isTrue();
    assertThat(r7.id()).startsWith("batch_req_");
    assertThat(r7.response().get().body().path("choices").get(0).path("message").path("content").asText())
        .contains("say r7");
    assertThat(s.inputTokens()).isEqualTo(results.values().stream().mapToLong(r -> r.inputTokens().getAsLong()).sum());
    assertThat(s.outputTokens()).isPositive();
    assertThat(server.stats().requests(Routes.CHAT)).isEqualTo(40);
  }

  @Test
  void aRerunSendsOnlyWhatTheOutputLacks() throws Exception {
    start(Duration.ofMillis(5), false);
    Path in = input(30);
    Path out = dir.resolve("results.jsonl");
    List<String> firstTen = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      firstTen.add(ResultFileTest.ok("r" + i).toJsonLine());
    }
    String torn = ResultFileTest.ok("r10").toJsonLine();
    Files.writeString(out, String.join("\n", firstTen) + "\n" + torn.substring(0, 25));

    JobSummary s = Job.builder().input(JobInput.of(in)).output(out).build().run(client);

    assertThat(s.skipped()).isEqualTo(10);
    assertThat(s.ok()).isEqualTo(20);
    assertThat(server.stats().requests(Routes.CHAT)).isEqualTo(20);
    Map<String, JobResult> results = results(out);
    assertThat(results).hasSize(30);
    assertThat(results.get("r0").response().get().requestId()).isEqualTo("req_1"); // the earlier run's line, kept
  }

  @Test
  void anErrorStatusIsWrittenAsTheResponseAndABadLineStopsEverythingBeforeSending() throws Exception {
    start(Duration.ZERO, false);
    Path in = dir.resolve("requests.jsonl");
    Files.write(in, List.of(chatLine("good"),
        "{\"custom_id\":\"bad\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"m\"}}",
        "{\"custom_id\":\"nowhere\",\"method\":\"POST\",\"url\":\"/v1/no/such/route\",\"body\":{}}"));
    Path out = dir.resolve("results.jsonl");

    JobSummary s = Job.builder().input(JobInput.of(in)).output(out).build().run(client);

    assertThat(s.ok()).isEqualTo(1);
    assertThat(s.failed()).isEqualTo(2);
    Map<String, JobResult> results = results(out);
    JobResult.Response bad = results.get("bad").response().orElseThrow();
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body().path("error").path("message").asText()).contains("messages");
    assertThat(results.get("bad").error()).isEmpty();
    assertThat(results.get("nowhere").response().orElseThrow().statusCode()).isEqualTo(404);

    Path broken = dir.resolve("broken.jsonl");
    Files.write(broken, List.of(chatLine("x1"), chatLine("x2"), "{not json"));
    server.reset();
    assertThatThrownBy(() -> Job.builder().input(JobInput.of(broken)).output(dir.resolve("o2.jsonl")).build()
        .run(client)).isInstanceOf(InvalidInputException.class).hasMessageContaining("broken.jsonl:3: not JSON");
    assertThat(server.stats().totalRequests()).isZero();
  }

  @Test
  void aSinglePassInputStopsAtItsFirstBadLineAfterWritingWhatWasSent() throws Exception {
    start(Duration.ZERO, false);
    String text = chatLine("a") + "\n" + chatLine("b") + "\n" + chatLine("a") + "\n" + chatLine("c") + "\n";
    Path out = dir.resolve("results.jsonl");

    assertThatThrownBy(() -> Job.builder().input(JobInput.of("<stdin>", new StringReader(text))).output(out).build()
        .run(client)).isInstanceOf(InvalidInputException.class).hasMessage("<stdin>:3: duplicate custom_id \"a\"");

    assertThat(results(out)).containsOnlyKeys("a", "b");
    assertThat(server.stats().requests(Routes.CHAT)).isEqualTo(2);
  }

  @Test
  void stopReadsNoMoreLetsTheInFlightFinishAndARerunCompletes() throws Exception {
    start(Duration.ofMillis(20), false);
    Path in = input(200);
    Path out = dir.resolve("results.jsonl");
    Job[] job = new Job[1];
    job[0] = Job.builder().input(JobInput.of(in)).output(out).maxInFlight(8).gracePeriod(Duration.ofSeconds(30))
        .listener(new JobListener() {
          @Override
          public void onResult(JobResult result) {
            if (result.customId().equals("r20")) {
              job[0].stop();
            }
          }
        }).build();

    JobSummary first = job[0].run(client);

    assertThat(first.stopped()).isTrue();
    long written = Files.readAllLines(out).size();
    assertThat(written).isLessThan(200).isEqualTo(first.ok());
    assertThat(server.stats().requests(Routes.CHAT)).as("every request sent was written (grace)").isEqualTo(written);

    JobSummary second = Job.builder().input(JobInput.of(in)).output(out).build().run(client);

    assertThat(second.skipped()).isEqualTo(written);
    assertThat(second.stopped()).isFalse();
    assertThat(results(out)).hasSize(200);
    assertThat(server.stats().requests(Routes.CHAT)).isEqualTo(200);
  }

  @Test
  void afterTheGracePeriodTheRestIsCancelledAndLeftForTheNextRun() throws Exception {
    start(Duration.ofSeconds(30), false);
    Path in = input(20);
    Path out = dir.resolve("results.jsonl");
    Job[] job = new Job[1];
    job[0] = Job.builder().input(JobInput.of(in)).output(out).maxInFlight(4).gracePeriod(Duration.ZERO)
        .progressInterval(Duration.ofMillis(10))
        .listener(new JobListener() {
          @Override
          public void onProgress(JobProgress progress) {
            if (progress.inFlight() == 4) {
              job[0].stop();
            }
          }
        }).build();

    JobSummary s = job[0].run(client);

    assertThat(s.stopped()).isTrue();
    assertThat(s.ok() + s.failed()).isZero();
    assertThat(Files.readAllLines(out)).isEmpty();
  }

  @Test
  void builderNamesWhatIsMissingOrWrong() {
    assertThatThrownBy(() -> Job.builder().output(dir.resolve("o")).build())
        .hasMessageContaining("input == null");
    assertThatThrownBy(() -> Job.builder().input(JobInput.of(dir.resolve("i"))).build())
        .hasMessageContaining("output == null");
    assertThatThrownBy(() -> Job.builder().maxRequestsPerMinute(-1)).hasMessage("maxRequestsPerMinute < 0: -1");
    assertThatThrownBy(() -> Job.builder().gracePeriod(Duration.ofSeconds(-1))).hasMessageContaining("gracePeriod < 0");
  }
}
