package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a process, killed half way: {@code kill -9} (and a plain {@code kill}, which runs the stop hook),
 * then the same command again. Runs from the packaged jar, target/fanout-jobs.jar.
 */
@Timeout(180)
class KillResumeIT {
  private static final int N = 200;
  private static final int MAX_IN_FLIGHT = 8;

  @TempDir
  Path dir;

  private MockBackend server;
  private Path in;
  private Path out;
  private Path log;

  @BeforeEach
  void setUp() throws IOException {
    server = MockBackend.builder().latency(Latency.fixed(Duration.ofMillis(100))).recordedRequests(0).start();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      lines.add(JobTest.chatLine("r" + i));
    }
    in = dir.resolve("requests.jsonl");
    Files.write(in, lines);
    out = dir.resolve("results.jsonl");
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private Process start() throws IOException {
    return start(in, MAX_IN_FLIGHT);
  }

  private Process start(Path in, int maxInFlight) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path jar = Path.of(System.getProperty("basedir", "."), "target", "fanout-jobs.jar");
    log = dir.resolve("cli-" + System.nanoTime() + ".log");
    assertThat(jar).as("the packaged CLI").exists();
    return new ProcessBuilder(java.toString(), "-Xmx256m", "-jar", jar.toString(), "run",
        "--input", in.toString(), "--output", out.toString(), "--base-url", server.url(), "--api-key", "sk-test",
        "--max-in-flight", String.valueOf(maxInFlight), "--progress", "none", "--grace-period", "20s")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** Polls the output until it has at least {@code lines} lines (or the process ended). */
  private void awaitLines(Process p, int lines) throws IOException {
    while (p.isAlive() && lineCount() < lines) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private long lineCount() throws IOException {
    if (!Files.exists(out)) {
      return 0;
    }
    try (var s = Files.lines(out)) {
      return s.count();
    }
  }

  private void rerunAndCheckEachOnceAllOk() throws Exception {
    Process second = start();
    assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isZero();
    Map<String, JobResult> results = JobTest.results(out); // fails on a custom_id twice
    assertThat(results).hasSize(N);
    assertThat(results.values()).allMatch(JobResult::ok);
  }

  @Test
  void killNineAtHalfThenTheSameCommandSendsEachRequestOnceButThoseInFlight() throws Exception {
    Process first = start();
    awaitLines(first, N / 2);
    assertThat(first.isAlive()).as("killed at about half, not after the end").isTrue();
    first.destroyForcibly();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long linesAtKill = lineCount();

    rerunAndCheckEachOnceAllOk();

    long sentTwice = server.stats().requests(Routes.CHAT) - N;
    assertThat(linesAtKill).isLessThan(N);
    assertThat(sentTwice).as("re-sent: at most those in flight at the kill").isBetween(0L, (long) MAX_IN_FLIGHT);
  }

  @Test
  void aPlainKillStopsReadingLetsTheInFlightFinishAndTheRerunSendsNothingTwice() throws Exception {
    Process first = start();
    awaitLines(first, N / 2);
    assertThat(first.isAlive()).isTrue();
    first.destroy(); // SIGTERM: the same stop hook as Ctrl-C
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    long written = lineCount();
    assertThat(written).isLessThan(N);
    assertThat(server.stats().requests(Routes.CHAT)).as("every request sent had its line written").isEqualTo(written);

    rerunAndCheckEachOnceAllOk();

    assertThat(server.stats().requests(Routes.CHAT)).isEqualTo(N);
  }

  @Test
  void aSigtermWhoseInFlightRequestsFinishEveryLineSaysTheRunFinishedAndExitsWith0() throws Exception {
    server.close();
    // answers after 10 s: the signal below lands while all are in flight however slow a loaded machine is
    server = MockBackend.builder().latency(Latency.fixed(Duration.ofSeconds(10))).recordedRequests(0).start();
    int n = 12;
    Path few = dir.resolve("few.jsonl");
    Files.write(few, Files.readAllLines(in).subList(0, n));
    Process p = start(few, 16);
    while (p.isAlive() && server.stats().requests(Routes.CHAT) < n) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    assertThat(p.isAlive()).as("every request sent, none answered yet").isTrue();
    p.destroy(); // SIGTERM while all 12 are in flight: they finish within the grace period

    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String printed = Files.readString(log);
    assertThat(printed).contains("Stopping: no more requests")
        .contains(n + " requests: " + n + " ok, 0 failed, 0 already in the output\n")
        .doesNotContain("stopped");
    assertThat(p.exitValue()).as("nothing left to do: exits as a finished run").isZero();
    assertThat(JobTest.results(out)).hasSize(n);
    assertThat(server.stats().requests(Routes.CHAT)).isEqualTo(n);
  }
}
