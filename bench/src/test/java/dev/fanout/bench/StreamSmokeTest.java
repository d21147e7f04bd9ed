package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Runs {@code fanout-bench stream} end to end at a tiny scale (a backend JVM, 300 then 3,000 inputs) and
 * checks what it wrote: every input delivered once, the backend's count equal to the input count. The heap
 * bound is the benchmark's business at a million inputs, so it is relaxed here.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a second JVM on a loaded 2-core machine
class StreamSmokeTest {
  @TempDir
  Path out;

  @Test
  void deliversEveryInputOnceAndWritesTheTable() throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new BenchMain()).execute("stream", "--n", "3000", "--baseline-n", "300",
          "--warmup-n", "0", "--concurrency", "32", "--max-heap-ratio", "100", "--out", out.toString());
    } finally {
      System.setOut(previous);
    }
    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(printed).isZero();
    String table = Files.readString(out.resolve("stream.md"));
    assertThat(table).contains("| 300 | yes | 300 |").contains("| 3,000 | yes | 3,000 |");
    assertThat(printed).contains("delivered once each: true; server requests 3,000");
  }
}
