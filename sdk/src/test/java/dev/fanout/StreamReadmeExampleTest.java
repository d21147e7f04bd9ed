package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The "Streaming a large input" snippet of sdk/README.md, run against a MockBackend. Keep the two in step. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class StreamReadmeExampleTest {

  @Test
  void streamsAFileOfIdsIntoAFileOfUsers(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("ids.txt"),
        LongStream.rangeClosed(1, 3_000).mapToObj(Long::toString).collect(Collectors.toList()));
    try (MockBackend backend = MockBackend.start(Latency.none());
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      StreamReport report;
      // --- README snippet ---
      try (Stream<String> ids = Files.lines(dir.resolve("ids.txt"));
          BufferedWriter out = Files.newBufferedWriter(dir.resolve("users.tsv"))) {
        report = FanoutStream.<String, User>builder(ids,
                (id, context) -> client.users().withContext(context).getAsync(Long.parseLong(id)))
            .options(FanoutOptions.builder().maxConcurrency(256).timeout(Duration.ofHours(2)).build())
            .onProgress(progress -> System.err.println(progress)) // every 1,000 results: done, rate, ETA
            .build()
            .forEach(c -> {
              try {
                out.write(c.input() + "\t" + (c.isSuccess() ? c.value().name() : "error: " + c.error()) + "\n");
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
        System.err.println(report); // counts, p50 / p99 latency; report.slowest() names the slowest calls
      }
      // --- end ---
      List<String> lines = Files.readAllLines(dir.resolve("users.tsv"));
      assertThat(lines).hasSize(3_000);
      assertThat(lines.stream().map(l -> l.substring(0, l.indexOf('\t'))).distinct().count()).isEqualTo(3_000);
      assertThat(lines).noneMatch(l -> l.contains("error: "));
      assertThat(report.succeeded()).isEqualTo(3_000);
      assertThat(report.end()).isEqualTo(StreamReport.End.COMPLETED);
      assertThat(report.slowest()).hasSize(FanoutStream.DEFAULT_SLOWEST_KEPT);
    }
  }
}
