package dev.fanout.mock.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mock binds loopback unless told otherwise and warns when told to bind wider; under a sustained load it
 * keeps serving with bounded memory. (The 100,000-request and 10,000-concurrent runs are a documented
 * command: {@link LoadSoak}.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ExposureAndLoadTest {

  @Test
  void bindsLoopbackByDefaultAndIsNotReachableFromOtherInterfaces() throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.none())) {
      assertThat(backend.host()).isEqualTo("127.0.0.1");
      assertThat(backend.url()).startsWith("http://127.0.0.1:");
      InetAddress external = firstNonLoopbackAddress();
      assumeThat(external).as("a non-loopback IPv4 address on this machine").isNotNull();
      try (Socket s = new Socket()) {
        Throwable refused = null;
        try {
          s.connect(new InetSocketAddress(external, backend.port()), 2_000);
        } catch (IOException e) {
          refused = e;
        }
        assertThat(refused).as("connecting via " + external.getHostAddress()).isInstanceOf(ConnectException.class);
      }
    }
  }

  @Test
  void theCliWarnsOnStderrWhenBindingWiderThanLoopbackAndNotOtherwise() throws Exception {
    List<String> wide = runCliUntilListening("--host", "0.0.0.0");
    assertThat(wide.get(0)).matches("Listening on http://0\\.0\\.0\\.0:\\d+");
    assertThat(wide).anyMatch(line -> line.startsWith("stderr: warning: binding 0.0.0.0 exposes"));

    List<String> loopback = runCliUntilListening();
    assertThat(loopback.get(0)).matches("Listening on http://127\\.0\\.0\\.1:\\d+");
    assertThat(loopback).noneMatch(line -> line.contains("warning"));
  }

  @Test
  void twentyThousandRequestsKeepMemoryBounded() throws Exception {
    int total = 20_000;
    try (MockBackend backend = MockBackend.start(Latency.none())) {
      OkHttpClient client = client(32);
      try {
        run(client, backend.url(), 2_000); // warm up, then measure from here
        long heapBefore = usedHeapAfterGc();
        run(client, backend.url(), total);
        long heapAfter = usedHeapAfterGc();
        Stats stats = backend.awaitIdle(Duration.ofSeconds(5));
        assertThat(stats.requests(Routes.USERS)).isEqualTo(total + 2_000L);
        assertThat(stats.completed()).isEqualTo(total + 2_000L);
        assertThat(stats.inFlight()).isZero();
        // The request log is bounded (recordedRequests) and nothing else keeps per-request state.
        assertThat(heapAfter - heapBefore).as("heap growth over %d requests", total).isLessThan(32L << 20);
        System.out.printf("RELIABILITY mock-load: requests=%d heapBeforeMiB=%d heapAfterMiB=%d%n",
            total, heapBefore >> 20, heapAfter >> 20);
      } finally {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
      }
    }
  }

  static OkHttpClient client(int concurrency) {
    Dispatcher d = new Dispatcher();
    d.setMaxRequests(concurrency);
    d.setMaxRequestsPerHost(concurrency);
    return new OkHttpClient.Builder().dispatcher(d).retryOnConnectionFailure(false)
        .connectionPool(new ConnectionPool(concurrency, 1, TimeUnit.MINUTES)).build();
  }

  /** Sends {@code n} lookups, {@code maxRequests} at a time; fails on any non-200. */
  static void run(OkHttpClient client, String url, int n) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(n);
    AtomicInteger failed = new AtomicInteger();
    for (int i = 1; i <= n; i++) {
      client.newCall(new Request.Builder().url(url + "/users/" + i).build()).enqueue(new Callback() {
        @Override
        public void onFailure(Call call, IOException e) {
          failed.incrementAndGet();
          done.countDown();
        }

        @Override
        public void onResponse(Call call, Response response) throws IOException {
          try (response) {
            response.body().string();
            if (response.code() != 200) failed.incrementAndGet();
          } finally {
            done.countDown();
          }
        }
      });
    }
    assertThat(done.await(50, TimeUnit.SECONDS)).isTrue();
    assertThat(failed.get()).isZero();
  }

  static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }

  /** Starts the CLI in its own JVM, returns stdout's first line and the stderr lines seen by then, and stops it. */
  private static List<String> runCliUntilListening(String... extra) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.fanout.mock.MockServerMain", "--port", "0", "--latency", "0"));
    Collections.addAll(command, extra);
    Process p = new ProcessBuilder(command).start();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> stderr = CompletableFuture.runAsync(() -> {
      try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = err.readLine()) != null) {
          lines.add("stderr: " + line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      // The CLI prints its stderr lines around the Listening line, the "stats at" line last: wait for it
      // (a generous deadline: a busy machine can take seconds to start the reader thread).
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (lines.stream().noneMatch(l -> l.contains("stats at")) && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      List<String> result = new ArrayList<>();
      result.add(first);
      result.addAll(lines);
      return result;
    } finally {
      p.destroy();
      p.waitFor(15, TimeUnit.SECONDS);
      p.destroyForcibly();
      stderr.get(5, TimeUnit.SECONDS);
    }
  }

  private static InetAddress firstNonLoopbackAddress() throws IOException {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) continue;
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) return a;
      }
    }
    return null;
  }
}
