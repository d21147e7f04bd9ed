package dev.fanout.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** What {@code fanout-jobs run} says about a bad flag or a missing input, before it sends anything. */
@Timeout(20)
class RunCommandFlagsTest {
  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private int run(String... flags) {
    CommandLine cli = JobsMain.commandLine();
    cli.setErr(new PrintWriter(err, true));
    cli.setOut(new PrintWriter(new StringWriter(), true));
    String[] args = new String[flags.length + 5];
    args[0] = "run";
    args[1] = "--input";
    args[2] = dir.resolve("requests.jsonl").toString();
    args[3] = "--output";
    args[4] = dir.resolve("results.jsonl").toString();
    System.arraycopy(flags, 0, args, 5, flags.length);
    return cli.execute(args);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--max-in-flight           | 0     | Invalid value for option '--max-in-flight': 0 < 1",
      "--max-requests-per-minute | -1    | Invalid value for option '--max-requests-per-minute': -1 < 0",
      "--max-tokens-per-minute   | -5    | Invalid value for option '--max-tokens-per-minute': -5 < 0",
      "--progress                | fancy | Invalid value for option '--progress': 'fancy' (expected auto, live, plain or none)",
  })
  void aBadValueIsNamedOnTheFirstLineAndExitsWith2(String option, String value, String message) {
    assertThat(run(option, value)).isEqualTo(2);
    assertThat(err.toString().lines().findFirst()).contains(message);
    assertThat(err.toString()).contains("Usage: fanout-jobs run");
  }

  @Test
  void aMissingInputIsBadInputNamedWithItsReasonAndExitsWith2() {
    assertThat(run("--base-url", "http://127.0.0.1:1")).isEqualTo(2);
    assertThat(err.toString().lines().findFirst()).hasValue(
        "fanout-jobs run: cannot read " + dir.resolve("requests.jsonl") + ": no such file");
    assertThat(dir.resolve("results.jsonl")).doesNotExist();
  }

  @Test
  void aDirectoryAsInputIsBadInputAndExitsWith2() throws Exception {
    java.nio.file.Files.createDirectory(dir.resolve("requests.jsonl"));
    assertThat(run("--base-url", "http://127.0.0.1:1")).isEqualTo(2);
    assertThat(err.toString().lines().findFirst()).hasValue(
        "fanout-jobs run: cannot read " + dir.resolve("requests.jsonl") + ": is a directory");
  }
}
