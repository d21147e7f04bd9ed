package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Runs {@code fanout-bench tail} end to end at a tiny scale (40 lookups, 20 ms, 10% at 2 s, one run of two
 * rounds per policy, each in a backend and a client JVM of its own) and checks what it wrote: counts exactly
 * (they come from the backend and the report), times only against the 2 s tail with a wide margin.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // four JVMs: minutes on a loaded 2-core machine
class TailSmokeTest {
  @TempDir
  Path out;

  @Test
  void writesTheTailTableWithAndWithoutHedging() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new BenchMain()).execute("tail", "--n", "40", "--latency", "20ms", "--tail", "0.1:2s",
          "--hedges", "none,300ms", "--budget", "0.5", "--runs", "1", "--rounds", "2", "--out", out.toString());
    } finally {
      System.setOut(previous);
    }
    assertThat(exit).as(console.toString(StandardCharsets.UTF_8)).isZero();

    JsonNode report = new ObjectMapper().readTree(out.resolve("tail.json").toFile());
    assertThat(report.get("policies")).hasSize(2);
    JsonNode none = report.get("policies").get(0);
    JsonNode fixed = report.get("policies").get(1);
    assertThat(none.get("hedge").asText()).isEqualTo("none");
    for (JsonNode round : none.get("runs").get(0).get("rounds")) {
      assertThat(round.get("failures").asInt()).isZero();
      assertThat(round.get("hedgesSent").asInt()).isZero();
      assertThat(round.get("serverRequests").asInt()).isEqualTo(40);
      if (round.get("serverTailDraws").asInt() > 0) {
        assertThat(round.get("maxMs").asDouble()).as("an unhedged tail response is the slowest").isGreaterThanOrEqualTo(2000);
      }
    }
    for (JsonNode round : fixed.get("runs").get(0).get("rounds")) {
      assertThat(round.get("failures").asInt()).isZero();
      assertThat(round.get("hedgesSent").asInt()).as("at most half of 40").isBetween(0, 20);
      assertThat(round.get("serverRequests").asInt()).isBetween(40, 40 + round.get("hedgesSent").asInt());
    }
    assertThat(Files.readString(out.resolve("tail.md"))).contains("| none | cold |").contains("| fixed 300ms | warm |");
  }
}
