package dev.fanout.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees about queueing at {@code maxInFlight} depending on the SLF4J provider: with none bound
 * (only slf4j-api, as a library user who brought no logger gets), SLF4J 2 prints its one "No SLF4J providers
 * were found" notice and drops the SDK's WARN, while the fan-out's report still shows the queued calls; with a
 * provider (slf4j-simple), the WARN appears. Each case runs {@link QueueingWithoutProviderMain} in a JVM of
 * its own, with the class path chosen here.
 */
@Timeout(120)
class NoSlf4jProviderTest {
  private static final String NO_PROVIDERS = "SLF4J(W): No SLF4J providers were found.";
  private static final String WARNING = "maxInFlight=2 reached";

  /** A class path entry that binds SLF4J: an SLF4J 2 provider (service file) or an SLF4J 1 binding. */
  private static final Predicate<String> PROVIDER = entry -> {
    List<String> markers = List.of(
        "META-INF/services/org.slf4j.spi.SLF4JServiceProvider", "org/slf4j/impl/StaticLoggerBinder.class");
    Path path = Path.of(entry);
    if (Files.isDirectory(path)) return markers.stream().anyMatch(m -> Files.exists(path.resolve(m)));
    if (!Files.isRegularFile(path)) return false;
    try (JarFile jar = new JarFile(path.toFile())) {
      return markers.stream().anyMatch(m -> jar.getEntry(m) != null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  };

  record Run(int exit, String out, String err) {}

  private static List<String> testClassPath() {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(cp.split(File.pathSeparator)).filter(e -> !e.isBlank()).toList();
  }

  private static Run run(List<String> classPath, Path dir) throws IOException, InterruptedException {
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", String.join(File.pathSeparator, classPath), QueueingWithoutProviderMain.class.getName())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the forked JVM did not finish in 60 s");
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void withoutAProviderTheWarningIsDroppedAndTheReportStillShowsTheQueue(@TempDir Path dir) throws Exception {
    List<String> classPath = testClassPath().stream().filter(PROVIDER.negate()).collect(Collectors.toList());
    assertThat(classPath).anyMatch(e -> new File(e).getName().startsWith("slf4j-api"));

    Run run = run(classPath, dir);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err())
        .containsOnlyOnce(NO_PROVIDERS)
        .contains("SLF4J(W): Defaulting to no-operation (NOP) logger implementation")
        .doesNotContain(WARNING);
    assertQueueShows(run.out());
  }

  @Test
  void withAProviderTheWarningIsLoggedOnce(@TempDir Path dir) throws Exception {
    List<String> classPath = testClassPath();
    assertThat(classPath).as("slf4j-simple on the test class path")
        .anyMatch(e -> new File(e).getName().startsWith("slf4j-simple"));

    Run run = run(classPath, dir);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.err()).containsOnlyOnce(WARNING).doesNotContain(NO_PROVIDERS);
    assertQueueShows(run.out());
  }

  /** The 4 calls beyond maxInFlight each waited a whole call's latency (at least); the first two may too. */
  private static void assertQueueShows(String out) {
    assertThat(out).contains("server max in flight: 2");
    Matcher queued = Pattern.compile("queued calls: (\\d+)").matcher(out);
    assertThat(queued.find()).as(out).isTrue();
    assertThat(Integer.parseInt(queued.group(1))).as(out).isBetween(4, 6);
  }
}
