package dev.fanout.flink.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job jar for {@code flink run} carries the job and what it calls (Fanout, OkHttp, Jackson), and none of
 * the simulated backend (MockWebServer, Netty, picocli), Flink or SLF4J. Runs after {@code package}.
 */
@Timeout(30)
class JobJarIT {
  private static List<String> entries;

  private static List<String> entries() throws IOException {
    if (entries == null) {
      Path jar = Path.of(System.getProperty("fanout.flink.job.jar", "target/fanout-flink-job.jar"));
      assertThat(jar).as("the shaded job jar (package phase)").exists();
      try (JarFile file = new JarFile(jar.toFile())) {
        entries = file.stream().map(ZipEntry::getName).toList();
      }
    }
    return entries;
  }

  @Test
  void holdsTheJobAndWhatItCalls() throws IOException {
    assertThat(entries()).contains(
        "dev/fanout/flink/samples/EnrichUsersJob.class",
        "dev/fanout/flink/FanoutAsyncFunction.class",
        "dev/fanout/FanoutClient.class",
        "okhttp3/OkHttpClient.class",
        "com/fasterxml/jackson/databind/ObjectMapper.class");
    Path jar = Path.of(System.getProperty("fanout.flink.job.jar", "target/fanout-flink-job.jar"));
    try (JarFile file = new JarFile(jar.toFile())) {
      assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo(EnrichUsersJob.class.getName());
    }
  }

  @Test
  void holdsNoSimulatedBackendNorWhatTheClusterProvides() throws IOException {
    assertThat(entries()).noneMatch(e -> e.startsWith("mockwebserver3/")
        || e.startsWith("dev/fanout/mock/")
        || e.startsWith("io/netty/")
        || e.startsWith("picocli/")
        || e.startsWith("org/apache/flink/")
        || e.startsWith("org/slf4j/")
        || e.startsWith("org/junit/")
        || e.equals("dev/fanout/flink/samples/EnrichUsersLocally.class"));
  }
}
