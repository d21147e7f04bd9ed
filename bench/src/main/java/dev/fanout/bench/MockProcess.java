package dev.fanout.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.mock.Engine;
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

/**
 * The mock in its own JVM ({@code MockServerMain}, Netty engine unless told otherwise, loopback, an ephemeral port), metered at
 * {@code rpm} and {@code tpm} (0: that limit is off), as the jobs and metered benchmarks run it: each row or
 * workload starts its own, so every client meets fresh buckets and fresh counters. Closing it stops the JVM.
 */
public final class MockProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final String url;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private MockProcess(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  /** What the mock counted on one route since it started or was last {@link #reset()}. */
  public record Counts(long requests, long rateLimited) {}

  /**
   * Starts the mock with {@code latency} per admitted request and waits for its "Listening on" line; its
   * standard error goes to {@code log}.
   */
  public static MockProcess start(String launcher, String classpath, Duration latency, long rpm, long tpm, Path log)
      throws IOException {
    return start(launcher, classpath, Engine.NETTY, latency, rpm, tpm, log);
  }

  /** As {@link #start(String, String, Duration, long, long, Path)}, on {@code engine}. */
  public static MockProcess start(String launcher, String classpath, Engine engine, Duration latency, long rpm,
      long tpm, Path log) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(launcher, "-cp", classpath, "dev.fanout.mock.MockServerMain",
        "--port", "0", "--engine", engine.id(), "--latency", latency.toMillis() + "ms"));
    if (rpm > 0) {
      cmd.addAll(List.of("--rpm", String.valueOf(rpm)));
    }
    if (tpm > 0) {
      cmd.addAll(List.of("--tpm", String.valueOf(tpm)));
    }
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    try {
      return new MockProcess(p, Processes.listeningUrl(p, "the mock"));
    } catch (IOException | RuntimeException e) {
      p.destroy();
      throw e;
    }
  }

  /** The base URL, ending in "/". */
  public String url() {
    return url;
  }

  /** The requests the mock received on {@code route} (such as {@code chat}), and how many it answered 429. */
  public Counts counts(String route) throws IOException, InterruptedException {
    JsonNode stats = stats(http, url);
    return new Counts(stats.path("requests").path(route).asLong(), stats.path("faults").path("rateLimited").asLong());
  }

  /**
   * The counters of the mock at {@code baseUrl} (ending in "/"), this one or one started elsewhere: its
   * {@code GET __admin/stats}, read with {@code http}.
   */
  public static JsonNode stats(HttpClient http, String baseUrl) throws IOException, InterruptedException {
    return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(baseUrl + "__admin/stats")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body());
  }

  /** Zeroes the mock's counters and fills its buckets. */
  public void reset() throws IOException, InterruptedException {
    http.send(HttpRequest.newBuilder(URI.create(url + "__admin/reset")).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.discarding());
  }

  /**
   * Warms the mock's JVM (a few hundred unmetered requests at once), then {@link #reset() resets} it: a row
   * measures the client, not the mock's first seconds of JIT.
   */
  public void warmUp() throws IOException, InterruptedException {
    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url + "v1/models")).GET().build(),
          HttpResponse.BodyHandlers.discarding()));
    }
    calls.forEach(CompletableFuture::join);
    reset();
  }

  /** Stops the mock's JVM (SIGTERM, then SIGKILL after {@link Processes#STOP_GRACE}); an interrupt kills it at once and is kept. */
  @Override
  public void close() {
    Processes.stop(process, Processes.STOP_GRACE);
  }
}
