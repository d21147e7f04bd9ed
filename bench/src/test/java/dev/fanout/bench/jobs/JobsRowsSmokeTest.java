package dev.fanout.bench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fanout.bench.BenchMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The jobs benchmark's rows at a tiny scale (50 requests, a quota that admits them at once): each row runs its
 * client in its own process against its own mock, and its results file holds each request once. The Python rows
 * run where /usr/bin/python3 has aiohttp (and the cookbook script is downloaded) or openai; a row that cannot run
 * must say why in the table.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // three JVMs and Python on a loaded 2-core machine
final class JobsRowsSmokeTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Path COOKBOOK = Path.of("scripts/cookbook/api_request_parallel_processor.py"); // from bench/

  @TempDir
  Path out;

  private String run(String clients) throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new BenchMain()).execute("jobs", "--n", "50", "--rpm", "600000", "--latency", "50ms",
          "--clients", clients, "--python", PYTHON, "--cookbook-script", COOKBOOK.toAbsolutePath().toString(),
          "--row-timeout", "2m", "--out", out.toString());
    } finally {
      System.setOut(previous);
    }
    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(printed).isZero();
    return Files.readString(out.resolve("jobs-metered.md"));
  }

  @Test
  void cookbookRowRunsTheScriptAndEachRequestIsOnceInItsResults() throws Exception {
    ClientRuns probe = new ClientRuns("java", "", PYTHON, out, java.time.Duration.ofMinutes(1));
    assumeTrue(probe.pythonModuleVersion("aiohttp") != null, PYTHON + " has no aiohttp");
    assumeTrue(Files.isRegularFile(COOKBOOK), "the cookbook script is not downloaded to bench/" + COOKBOOK);
    String table = run("cookbook");
    assertThat(table).containsPattern("\\| cookbook \\| 50 \\| 0 \\| yes \\| [0-9,]+ \\| 0 \\(0\\.0%\\) \\|")
        .contains("- cookbook: Python ");
    assertThat(Files.readAllLines(out.resolve("cookbook-results.jsonl"))).hasSize(50);
  }

  @Test
  void aMissingCookbookScriptIsNamedWithWhereToGetIt() {
    ClientRuns probe = new ClientRuns("java", "", PYTHON, out, java.time.Duration.ofMinutes(1));
    Path absent = out.resolve("absent.py");
    String why = probe.whyNot(JobsClient.COOKBOOK, absent).orElseThrow();
    if (probe.pythonModuleVersion("aiohttp") == null) {
      assertThat(why).contains("cannot import aiohttp").contains("apt-get install python3-aiohttp");
    } else {
      assertThat(why).contains("no cookbook script at " + absent).contains("curl -o " + absent + " https://");
    }
    assertThat(probe.whyNot(JobsClient.FANOUT_JOBS, absent)).isEmpty();
  }

  @Test
  void aClientThatCannotRunIsSkippedWithTheReason() throws Exception {
    String table = run("fanout-jobs,openai-python");
    assertThat(table).containsPattern("\\| fanout-jobs \\| 50 \\| 0 \\| yes \\| [0-9,]+ \\| 0 \\(0\\.0%\\) \\|");
    ClientRuns probe = new ClientRuns("java", "", PYTHON, out, java.time.Duration.ofMinutes(1));
    if (probe.pythonModuleVersion("openai") == null) {
      assertThat(table).contains("| openai-python | skipped |")
          .contains("openai-python skipped: " + PYTHON + " cannot import openai (pip install openai");
    } else {
      assertThat(table).contains("| openai-python | 50 | 0 | yes |");
    }
  }
}
