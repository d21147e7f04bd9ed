package dev.fanout.mock;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;

/**
 * Measures how many concurrent delayed requests the mock serves in about one delay.
 *
 * <pre>
 * java -cp "$(cat mock-server/target/test-classpath.txt):mock-server/target/classes:mock-server/target/test-classes" \
 *     dev.fanout.mock.ScaleBench --n 1000,10000 --delay 1s --client jdk [--url http://127.0.0.1:PORT]
 * </pre>
 *
 * Without {@code --url} the backend runs in this JVM (client and server then share its file
 * descriptors and cores); with it, the requests go to a standalone server.
 */
public final class ScaleBench {
  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    List<Integer> ns = List.of(1000);
    Duration delay = Duration.ofSeconds(1);
    String client = "jdk";
    String url = null;
    int rounds = 2;
    boolean h2 = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--n": ns = Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList(); break;
        case "--delay": delay = dev.fanout.common.Durations.parse(args[++i]); break;
        case "--client": client = args[++i]; break;
        case "--url": url = args[++i]; break;
        case "--rounds": rounds = Integer.parseInt(args[++i]); break;
        case "--http2": h2 = true; break;
        default: throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    MockBackend backend = url == null
        ? MockBackend.builder().latency(Latency.fixed(delay)).http2PriorKnowledge(h2).recordedRequests(0).start()
        : null;
    String base = url != null ? url : backend.url();
    System.out.printf("server %s, delay %s, client %s%s, cores %d, max heap %d MiB%n", url != null ? "standalone " + url : "in-process",
        delay, client, h2 ? " h2c" : "", Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    try {
      for (int n : ns) {
        for (int round = 1; round <= rounds; round++) {
          if (backend != null) backend.reset();
          long start = System.nanoTime();
          int[] outcome = client.equals("okhttp") ? okhttp(base, n, h2) : jdk(base, n);
          double seconds = (System.nanoTime() - start) / 1e9;
          System.out.printf("n=%6d round %d: %.2f s, ok %d, failed %d%s%n", n, round, seconds, outcome[0], outcome[1],
              backend != null ? ", server maxInFlight " + backend.stats().maxInFlight() : "");
        }
      }
    } finally {
      if (backend != null) backend.close();
    }
  }

  /** One JDK client for the whole run (it cannot be closed on Java 17; its pool keeps connections). */
  private static HttpClient jdkClient;

  static int[] jdk(String base, int n) throws Exception {
    if (jdkClient == null) {
      ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-client");
        t.setDaemon(true);
        return t;
      });
      jdkClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
          .connectTimeout(Duration.ofSeconds(30)).build();
    }
    HttpClient http = jdkClient;
    {
      List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/users/" + (i + 1))).timeout(Duration.ofSeconds(60)).build();
        all.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
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
      return new int[] {ok, failed};
    }
  }

  static int[] okhttp(String base, int n, boolean h2) throws Exception {
    OkHttpClient c = h2 ? Http.h2cClient(n + 100) : Http.client(n + 100);
    try {
      long ok = 0;
      try {
        ConcurrencyTest.fanOut(c, base, n);
        ok = n;
      } catch (Throwable e) {
        System.out.println("  failed: " + e);
      }
      return new int[] {(int) ok, (int) (n - ok)};
    } finally {
      Http.shutdown(c);
    }
  }
}
