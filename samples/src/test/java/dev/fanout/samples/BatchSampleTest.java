package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.samples.report.RunReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code batch} subcommand against its embedded metered mock: governed by default it finishes every
 * completion with few 429s (the server's counters) and shows the governor's waits in the report and the
 * timeline; {@code --no-governor} meets the same quota with many 429s.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BatchSampleTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void governedByDefaultEveryCompletionSucceedsAndTheWaitsAreInTheReport() throws Exception {
    Path json = dir.resolve("batch.json");
    Path svg = dir.resolve("batch.svg");
    // 300 completions, 6,000/min one second deep: 100 at once, then 100 a second (about 2 s at the quota).
    int exit = run("batch", "--prompts", "300", "--latency", "100ms", "--report-json", json.toString(),
        "--timeline", svg.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport report = RunReport.read(json);
    RunReport.Mode mode = report.mode("governed");
    assertThat(mode.ok()).isEqualTo(300);
    assertThat(mode.server().requests()).as("few retries: few 429s").isLessThanOrEqualTo(300 + 15);
    // The bucket holds 100 of the 300: the others wait for the governor, and the report says so.
    assertThat(mode.calls().stream().filter(c -> c.governorWaitMillis() > 0).count()).isGreaterThanOrEqualTo(150);
    assertThat(mode.governor()).isNotNull();
    assertThat(mode.governor().rateLimited()).isLessThanOrEqualTo(15);
    assertThat(mode.governor().buckets()).singleElement().satisfies(b -> {
      assertThat(b.bucket()).isEqualTo("gpt-4o-mini");
      assertThat(b.limits()).anySatisfy(l -> {
        assertThat(l.dimension()).isEqualTo("REQUESTS");
        assertThat(l.limit()).isEqualTo(6000);
      });
    });
    assertThat(Files.readString(json)).contains("\"governorWaitMillis\"");
    assertThat(Files.readString(svg)).contains("class=\"governor-wait\"");
    assertThat(out.toString()).contains("300 ok", "0 failed", "quota minimum", "wall / minimum");
  }

  @Test
  void onAnthropicTheGovernorReadsAnthropicsHeadersAndEveryMessageSucceeds() throws Exception {
    Path json = dir.resolve("anthropic.json");
    int exit = run("batch", "--provider", "anthropic", "--prompts", "300", "--latency", "100ms",
        "--tpm", "600000", "--report-json", json.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport.Mode mode = RunReport.read(json).mode("governed");
    assertThat(mode.ok()).isEqualTo(300);
    assertThat(mode.server().requests()).as("few retries: few 429s").isLessThanOrEqualTo(300 + 15);
    assertThat(mode.governor().buckets()).singleElement().satisfies(b -> {
      assertThat(b.bucket()).isEqualTo("claude-haiku-4-5");
      assertThat(b.limits()).extracting(RunReport.GovernedLimit::dimension)
          .contains("REQUESTS", "INPUT_TOKENS", "OUTPUT_TOKENS");
    });
    assertThat(out.toString()).contains("Metered like Anthropic", "300 messages", "300 ok", "0 failed");
  }

  @Test
  void withoutTheGovernorTheSameQuotaAnswersMany429s() throws Exception {
    Path json = dir.resolve("ungoverned.json");
    // 1,200/min one second deep: the bucket holds 20 and refills 20 a second, so however slowly a busy machine
    // sends the 300, most of the first wave is answered 429.
    run("batch", "--prompts", "300", "--latency", "100ms", "--rpm", "1200", "--no-governor",
        "--report-json", json.toString());

    RunReport.Mode mode = RunReport.read(json).mode("ungoverned");
    assertThat(mode.server().requests() - mode.ok()).as("requests beyond one per success")
        .isGreaterThanOrEqualTo(150);
    assertThat(mode.calls()).allMatch(c -> c.governorWaitMillis() == 0);
    assertThat(mode.governor().rateLimited()).isGreaterThanOrEqualTo(150);
  }

  @Test
  void theQuotaMinimumIsTheRefillTimeOfWhatTheBucketDoesNotHoldPlusOneLatency() {
    // The workload: 1,000 at 6,000/min one second deep, 0.5 s each: 9 s of refill + 0.5 s.
    assertThat(BatchSample.quotaMinimumSeconds(1000, 0, 6000, 0, 0.5)).isEqualTo(9.5);
    // Token-bound: 1,000 calls of 30 tokens at 120,000/min (2,000/s, 2,000 at once): 14 s + 0.5 s.
    assertThat(BatchSample.quotaMinimumSeconds(1000, 30, 0, 120_000, 0.5)).isEqualTo(14.5);
    assertThat(BatchSample.quotaMinimumSeconds(1000, 30, 0, 0, 0.5)).isZero();
  }

  @Test
  void badFlagsNameTheValue() {
    assertThat(run("batch", "--prompts", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--prompts", "0 < 1");
  }
}
