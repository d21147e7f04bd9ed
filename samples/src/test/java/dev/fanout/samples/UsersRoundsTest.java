package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.samples.report.RunReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code users --rounds N --pause DURATION}: the same fan-out N times on one client, each round its own
 * mode in the report with every id accounted for, one line per round; bad values exit 2 naming the flag.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class UsersRoundsTest {
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
  void eachRoundIsItsOwnModeWithEveryIdAccountedFor() {
    Path json = dir.resolve("rounds.json");
    long started = System.nanoTime();
    int exit = run("users", "--ids", "1-25,40", "--max-in-flight", "8", "--latency", "10ms",
        "--rounds", "3", "--pause", "50ms", "--report-json", json.toString());
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport report = RunReport.read(json);
    assertThat(report.modes()).extracting(RunReport.Mode::name).containsExactly("round-1", "round-2", "round-3");
    List<Long> ids = LongStream.concat(LongStream.rangeClosed(1, 25), LongStream.of(40)).boxed().toList();
    for (RunReport.Mode round : report.modes()) {
      assertThat(round.calls()).extracting(RunReport.Call::id).containsExactlyInAnyOrderElementsOf(ids);
      assertThat(round.ok()).isEqualTo(26);
      assertThat(round.failed()).isZero();
      assertThat(round.server().requests()).as("the server counts each round on its own").isEqualTo(26);
      assertThat(round.server().maxInFlight()).isBetween(1, 8);
    }
    assertThat(elapsedMillis).as("two pauses of 50 ms").isGreaterThanOrEqualTo(100);
    List<String> roundLines = out.toString().lines().filter(l -> l.contains("Round ")).toList();
    assertThat(roundLines).hasSize(3);
    assertThat(roundLines.get(0)).contains("Round 1:").contains("26 lookups").contains("26 ok, 0 failed");
    assertThat(roundLines.get(2)).contains("Round 3:");
    assertThat(out.toString()).contains("3 rounds 50ms apart").contains("Done: 3 rounds, 78 lookups: 78 ok, 0 failed");
  }

  @Test
  void oneRoundIsTheModeAsBefore() {
    Path json = dir.resolve("one.json");
    int exit = run("users", "--ids", "1-5", "--latency", "0", "--mode", "all", "--report-json", json.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    assertThat(RunReport.read(json).modes()).extracting(RunReport.Mode::name).containsExactly("all");
    assertThat(out.toString()).doesNotContain("Round ").contains("5 ok, 0 failed");
  }

  @Test
  void badRoundsAndPausesExitTwoNamingTheFlag() {
    assertBad(new String[] {"users", "--rounds", "0"}, "'--rounds': 0 < 1");
    assertBad(new String[] {"users", "--rounds", "-2"}, "'--rounds'");
    assertBad(new String[] {"users", "--rounds", "many"}, "--rounds");
    assertBad(new String[] {"users", "--pause", "-1s"}, "'--pause'");
    assertBad(new String[] {"users", "--pause", "soon"}, "'--pause'");
  }

  private void assertBad(String[] args, String message) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    int exit = run(args);
    assertThat(exit).as(String.join(" ", args)).isEqualTo(2);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines.get(0)).as(String.join(" ", args)).contains(message);
    assertThat(lines.get(1)).startsWith("Usage:");
    assertThat(out.toString()).isEmpty();
  }
}
