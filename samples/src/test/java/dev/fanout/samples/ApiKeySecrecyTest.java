package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The samples never print or write the API key: not on stdout or stderr, not in the report, not in errors. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ApiKeySecrecyTest {
  static final String KEY = "sk-sample-Zq81XvB3nMl0pRt7";

  @TempDir
  Path dir;

  @Test
  void theKeyAppearsInNoOutputReportOrError() throws Exception {
    Path report = dir.resolve("users.json");
    Path timeline = dir.resolve("users.svg");
    try (MockBackend backend = MockBackend.builder().latency(Latency.fixed(Duration.ofMillis(5)))
        .faults(Faults.builder().errorRate(0.3).seed(3).build()).start()) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cmd = Main.commandLine();
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(err, true));
      int exit = cmd.execute("users", "--base-url", backend.url(), "--api-key", KEY, "--ids", "1-40", "--retries", "0",
          "--report-json", report.toString(), "--timeline", timeline.toString());

      assertThat(exit).isIn(0, 1); // some lookups fail on purpose
      assertThat(backend.stats().faults("error5xx")).isPositive();
      assertThat(out.toString()).isNotEmpty().doesNotContain(KEY);
      assertThat(err.toString()).doesNotContain(KEY);
      assertThat(Files.readString(report)).contains("\"calls\"").doesNotContain(KEY);
      assertThat(Files.readString(timeline)).doesNotContain(KEY);
    }
  }

  @Test
  void aKeyThatCannotBeAHeaderIsRefusedWithoutEchoingIt() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    String badKey = "sk-line1\nsecret-line2";

    int exit = cmd.execute("users", "--base-url", "http://127.0.0.1:9", "--api-key", badKey, "--ids", "1");

    assertThat(exit).isEqualTo(2); // a bad flag value
    assertThat(err.toString()).startsWith("Invalid API key (--api-key").contains("Usage:");
    assertThat(err.toString() + out).doesNotContain("secret-line2").doesNotContain("sk-line1");
  }
}
