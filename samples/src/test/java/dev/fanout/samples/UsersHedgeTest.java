package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.samples.report.RunReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code users --hedge-after DURATION|auto --hedge-budget FRACTION} against the embedded server's seeded
 * {@code --tail}: without hedging the tail is the p99; with it the p99 is far below the tail, the hedges stay
 * within the budget, and the server sees the losers cut short. Wall-time bounds are generous (the hedged runs'
 * tail is 10 s, their p99 is expected near the hedge delay and asserted at most 5 s).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class UsersHedgeTest {
  private static final String[] TAIL = {"--ids", "1-200", "--latency", "50ms", "--tail", "0.03:2s",
      "--max-in-flight", "200", "--retries", "0"};
  /**
   * The same run with a 10 s tail, for the hedged runs: their p99 is asserted at most half the tail, a bound a
   * busy machine (slow hedges, an auto delay learnt from slow cold calls) cannot reach by accident.
   */
  private static final String[] LONG_TAIL = {"--ids", "1-200", "--latency", "50ms", "--tail", "0.03:10s",
      "--max-in-flight", "200", "--retries", "0"};

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

  private RunReport.Mode users(String name, String... extra) {
    return users(TAIL, name, extra);
  }

  private RunReport.Mode users(String[] tail, String name, String... extra) {
    Path json = dir.resolve(name + ".json");
    String[] args = new String[tail.length + extra.length + 3];
    args[0] = "users";
    System.arraycopy(tail, 0, args, 1, tail.length);
    System.arraycopy(extra, 0, args, 1 + tail.length, extra.length);
    args[args.length - 2] = "--report-json";
    args[args.length - 1] = json.toString();
    assertThat(run(args)).as(out + "\n" + err).isZero();
    return RunReport.read(json).modes().get(0);
  }

  @Test
  void withoutHedgingTheTailIsTheP99() {
    RunReport.Mode plain = users("plain");
    assertThat(plain.ok()).isEqualTo(200);
    assertThat(UsersSample.percentile(plain, 0.99)).as("p99, ms").isGreaterThanOrEqualTo(2000);
    assertThat(plain.hedgesSent()).isZero();
    assertThat(out.toString()).doesNotContain("Hedges:");
  }

  @Test
  void aFixedHedgeCutsTheP99WithinTheBudgetAndTheServerSeesTheLosersCancelled() {
    // A backup after 1 s: on a busy machine cold 50 ms lookups can pass 200 ms and spend the budget before the tail's.
    RunReport.Mode hedged = users(LONG_TAIL, "fixed", "--hedge-after", "1s", "--hedge-budget", "0.1");
    assertThat(hedged.ok()).isEqualTo(200);
    assertThat(UsersSample.percentile(hedged, 0.99)).as("p99, ms").isLessThanOrEqualTo(5000);
    assertThat(hedged.hedgesSent()).as("hedges, at most 10% of 200").isBetween(1, 20);
    assertThat(hedged.hedgesWon()).isBetween(1, hedged.hedgesSent());
    assertThat(hedged.server().aborted()).as("losers cut short at the server").isPositive();
    assertThat(hedged.server().requests()).isBetween(200L, 200L + hedged.hedgesSent());
    assertThat(hedged.calls()).filteredOn(c -> c.hedgesSent() > 0).isNotEmpty();
    assertThat(out.toString()).contains("Hedging: a backup after 1s, at most 10% extra requests")
        .contains("Hedges: " + hedged.hedgesSent() + " sent").contains("p99");
  }

  @Test
  void autoHedgesTheColdRunsStragglers() {
    RunReport.Mode auto = users(LONG_TAIL, "auto", "--hedge-after", "auto");
    assertThat(auto.ok()).isEqualTo(200);
    assertThat(UsersSample.percentile(auto, 0.99)).as("p99, ms").isLessThanOrEqualTo(5000);
    assertThat(auto.hedgesSent()).isBetween(1, 20);
    assertThat(out.toString()).contains("the observed p95 (auto)");
  }

  @Test
  void badHedgeFlagsExitTwoNamingTheFlag() {
    assertThat(run("users", "--hedge-after", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("--hedge-after").contains("soon").contains("auto");
    assertThat(run("users", "--hedge-after", "1s", "--hedge-budget", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("'--hedge-budget': 0.0");
    assertThat(run("users", "--hedge-budget", "1.5")).isEqualTo(2);
    assertThat(run("users", "--tail", "3s")).isEqualTo(2);
    assertThat(err.toString()).contains("'3s' is not a tail");
  }
}
