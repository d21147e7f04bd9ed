package dev.fanout.bench.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.bench.Processes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The mock in its own JVM ({@code MockServerMain}, Netty engine, loopback, an ephemeral port), metered at
 * {@code rpm} or unmetered. Each row of the benchmark starts its own, so every client meets fresh buckets and
 * fresh counters. Closing it stops the JVM.
 */
final class MockProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final String url;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private MockProcess(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  /** Starts the mock, waits for its "Listening on" line, warms its JVM and resets its counters and buckets. */
  static MockProcess start(String launcher, String classpath, Duration latency, long rpm, Path log)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(launcher, "-cp", classpath, "dev.fanout.mock.MockServerMain",
        "--port", "0", "--engine", "netty", "--latency", latency.toMillis() + "ms"));
    if (rpm > 0) {
      cmd.addAll(List.of("--rpm", String.valueOf(rpm)));
    }
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    try {
      MockProcess mock = new MockProcess(p, Processes.listeningUrl(p, "the mock"));
      mock.warmUp();
      return mock;
    } catch (IOException | RuntimeException | InterruptedException e) {
      p.destroy();
      throw e;
    }
  }

  /** The base URL, ending in "/". */
  String url() {
    return url;
  }

  /** The chat requests the mock received, and how many of them it answered 429. */
  long[] chatRequestsAndRateLimited() throws IOException, InterruptedException {
    JsonNode stats = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "__admin/stats")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body());
    return new long[] {stats.path("requests").path("chat").asLong(), stats.path("faults").path("rateLimited").asLong()};
  }

  /**
   * Warms the mock's JVM (a few hundred unmetered requests at once), then resets its counters and buckets: a row
   * measures the client, not the mock's first seconds of JIT.
   */
  private void warmUp() throws IOException, InterruptedException {
    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url + "v1/models")).GET().build(),
          HttpResponse.BodyHandlers.discarding()));
    }
    calls.forEach(CompletableFuture::join);
    http.send(HttpRequest.newBuilder(URI.create(url + "__admin/reset")).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.discarding());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
