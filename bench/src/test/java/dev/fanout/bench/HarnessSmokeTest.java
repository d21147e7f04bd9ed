package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs the whole harness end to end at a tiny scale (N = 6 and 20, 50 ms latency, one client process per
 * row), with a backend JVM and client JVMs of its own, and checks what it wrote. Python is skipped.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // it starts a JVM per row: minutes on a loaded 2-core machine
class HarnessSmokeTest {
  private static final long LATENCY_MS = 50;

  @TempDir
  Path out;

  @Test
  void runsEveryRowInSeparateProcessesAndWritesJsonMarkdownAndSvg() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new BenchMain()).execute(
          "--n", "6,20", "--latency", LATENCY_MS + "ms", "--runs", "1", "--rounds", "2",
          "--rows", "fanout@netty,fanout-h2c@mockwebserver,okhttp@netty,jdk@netty,aiohttp@netty",
          "--no-python", "--max-n", "okhttp=6",
          "--throughput-warmup", "500ms", "--throughput-duration", "1s",
          "--out", out.toString());
    } finally {
      System.setOut(previous);
    }
    assertThat(exit).as(console.toString(StandardCharsets.UTF_8)).isZero();

    JsonNode report = new ObjectMapper().readTree(out.resolve("bench.json").toFile());
    List<JsonNode> rows = new ArrayList<>();
    report.get("rows").forEach(rows::add);
    assertThat(rows).hasSize(10);
    for (JsonNode row : rows) {
      String name = row.get("client").asText() + "@" + row.get("engine").asText() + " N=" + row.get("n").asInt();
      boolean okhttpAboveCap = row.get("client").asText().equals("okhttp") && row.get("n").asInt() > 6;
      boolean python = row.get("client").asText().equals("aiohttp");
      if (okhttpAboveCap || python) {
        assertThat(row.get("skipped").asBoolean()).as(name).isTrue();
        assertThat(row.get("note").asText()).as(name).isNotBlank();
        continue;
      }
      assertThat(row.get("skipped").asBoolean()).as(name).isFalse();
      assertThat(row.get("failures").asInt()).as(name).isZero();
      assertThat(row.get("calls").asInt()).as(name).isEqualTo(row.get("n").asInt() * 2);
      JsonNode run = row.get("runs").get(0);
      assertThat(run.get("roundsMs")).as(name).hasSize(2);
      for (JsonNode wall : run.get("roundsMs")) {
        // Every call waits the latency; even a cold JVM on a busy machine finishes well within 30 s.
        assertThat(wall.asDouble()).as(name).isGreaterThanOrEqualTo(LATENCY_MS).isLessThan(30_000);
      }
      assertThat(row.get("coldMs").get("median").asDouble()).as(name).isEqualTo(run.get("roundsMs").get(0).asDouble());
      assertThat(row.get("warmMs").get("median").asDouble()).as(name).isEqualTo(run.get("roundsMs").get(1).asDouble());
      // Separate processes: the client's and the backend's figures come from other PIDs than this test's.
      assertThat(row.get("peakPlatformThreads").asInt()).as(name).isPositive();
      assertThat(row.get("peakRssMib").asDouble()).as(name).isPositive();
      assertThat(row.get("serverPeakThreads").asInt()).as(name).isPositive();
      // The backend saw calls overlap, never more than the fan-out (OkHttp's default Dispatcher: five per host).
      // At 50 ms latency a cold client on a busy machine may start the last calls after the first finished.
      int most = row.get("client").asText().equals("okhttp") ? 5 : row.get("n").asInt();
      assertThat(row.get("serverMaxInFlight").asLong()).as(name).isBetween(2L, (long) most);
    }
    // Fanout over HTTP/1.1 and h2c, and raw OkHttp beside them (on virtual threads too where the client JVM,
    // this one, has them).
    List<String> throughputRows = new ArrayList<>(List.of("fanout", "fanout-h2c", "okhttp-n"));
    if (Runtime.version().feature() >= 21) {
      throughputRows.add("okhttp-vt");
    }
    assertThat(report.get("throughput")).extracting(t -> t.get("client").asText())
        .containsExactlyElementsOf(throughputRows);
    for (JsonNode t : report.get("throughput")) {
      assertThat(t.get("requestsPerSecond").get("median").asDouble()).as(t.toString()).isPositive();
      assertThat(t.get("failures").asLong()).isZero();
    }
    assertThat(report.get("notes").toString()).contains("Python rows skipped");
    if (Runtime.version().feature() < 21) {
      assertThat(report.get("notes").toString()).contains("okhttp-vt throughput row skipped");
    }
    String md = Files.readString(out.resolve("bench.md"));
    assertThat(md).contains("| Fanout, defaults | netty | http/1.1 | 6 |").contains("extrapolated");
    String svg = Files.readString(out.resolve("bench-wall.svg"));
    assertThat(svg).startsWith("<svg").contains("polyline").endsWith("</svg>\n");
  }
}
