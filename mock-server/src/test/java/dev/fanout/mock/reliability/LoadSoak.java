package dev.fanout.mock.reliability;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Stats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * The mock server under load, too long for the test suite: {@code --requests} lookups at zero latency
 * (64 at a time), then a burst of {@code --burst} concurrent lookups at {@code --burst-delay}; prints
 * throughput, failures, the server's stats and the used heap after each phase.
 *
 * <pre>
 * ./mvnw -q -B -ntp -pl mock-server test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx512m -cp "$(cat mock-server/target/cp.txt):mock-server/target/classes:mock-server/target/test-classes" \
 *     dev.fanout.mock.reliability.LoadSoak --requests 100000 --burst 10000 --burst-url http://127.0.0.1:8080
 * </pre>
 *
 * with a standalone server started by {@code java -Xmx256m -jar mock-server/target/fanout-mock-server.jar --port 8080
 * --latency 1s} (in one JVM the burst's client and server sockets would need 20,000 file descriptors).
 */
public final class LoadSoak {
  private LoadSoak() {}

  public static void main(String[] args) throws Exception {
    int requests = 100_000;
    int burst = 10_000;
    Duration burstDelay = Duration.ofSeconds(1);
    String burstUrl = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--requests": requests = Integer.parseInt(args[++i]); break;
        case "--burst": burst = Integer.parseInt(args[++i]); break;
        case "--burst-delay": burstDelay = dev.fanout.common.Durations.parse(args[++i]); break;
        case "--burst-url": burstUrl = args[++i]; break;
        default: throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    System.out.printf("cores %d, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    try (MockBackend backend = MockBackend.builder().latency(Latency.none()).start()) {
      OkHttpClient client = ExposureAndLoadTest.client(64);
      long start = System.nanoTime();
      int chunk = 10_000;
      for (int done = 0; done < requests; done += chunk) {
        ExposureAndLoadTest.run(client, backend.url(), Math.min(chunk, requests - done));
        System.out.printf("  %,d requests, used heap %d MiB%n", done + Math.min(chunk, requests - done),
            ExposureAndLoadTest.usedHeapAfterGc() >> 20);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Stats s = backend.awaitIdle(Duration.ofSeconds(10));
      System.out.printf("zero latency: %,d requests in %.1f s (%.0f/s), server completed %d, aborted %d, in flight %d%n",
          requests, seconds, requests / seconds, s.completed(), s.aborted(), s.inFlight());
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    // In one JVM, 10,000 client and 10,000 server sockets need 20,000 file descriptors: point --burst-url at a
    // standalone server (java -jar mock-server/target/fanout-mock-server.jar --latency 1s) to measure the burst.
    try (MockBackend backend = burstUrl != null ? null
        : MockBackend.builder().latency(Latency.fixed(burstDelay)).recordedRequests(0).start()) {
      String url = burstUrl != null ? burstUrl : backend.url();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(30)).build();
      long start = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 1; i <= burst; i++) {
        all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/users/" + i))
            .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
      }
      int ok = 0;
      int failed = 0;
      for (CompletableFuture<HttpResponse<String>> f : all) {
        try {
          if (f.get(120, TimeUnit.SECONDS).statusCode() == 200) ok++;
          else failed++;
        } catch (Exception e) {
          failed++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("burst: %,d concurrent at %s in %.1f s, ok %d, failed %d, %s, client used heap %d MiB%n",
          burst, burstDelay, seconds, ok, failed,
          backend != null ? "server max in flight " + backend.awaitIdle(Duration.ofSeconds(10)).maxInFlight() : "server " + url,
          ExposureAndLoadTest.usedHeapAfterGc() >> 20);
    }
    System.exit(0);
  }
}
