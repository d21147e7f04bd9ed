package dev.fanout.bench.tls;

import dev.fanout.FanoutClient;
import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;

/**
 * TLS + HTTP/2 fan-outs against the mock's TLS mode (Netty engine, a stream limit per connection, as nginx
 * announces 128): for each client, a cold fan-out of N user lookups on a new client (the process's first
 * to the host), then a warm one on the same client; wall time and the TLS connections the server accepted in
 * each. The backend runs in this JVM (a fresh one per client, so its connection counter is the client's).
 *
 * <pre>
 * java -cp bench/target/fanout-bench.jar dev.fanout.bench.tls.TlsColdWarm [N] [latency ms] [streams] [clients]
 * </pre>
 * Clients: {@code fanout} (defaults, trusting the CA), {@code okhttp} (stock OkHttp, Dispatcher and pool sized to
 * N: what Fanout's client does without its connection gate), {@code jdk} (the JDK HttpClient, HTTP/2).
 */
public final class TlsColdWarm {
  private TlsColdWarm() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    long latencyMs = args.length > 1 ? Long.parseLong(args[1]) : 1000;
    int streams = args.length > 2 ? Integer.parseInt(args[2]) : 128;
    String[] clients = (args.length > 3 ? args[3] : "fanout,okhttp,jdk").split(",");
    System.out.printf("N=%d latency=%d ms, TLS + HTTP/2, %d streams per connection, Java %s%n", n, latencyMs, streams,
        Runtime.version().feature());
    System.out.println("| client | cold wall s | cold connections | cold failed | warm wall s | warm new connections | warm failed |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String c : clients) {
      try (MockBackend backend = MockBackend.builder().engine(Engine.NETTY).tls(true).maxConcurrentStreams(streams)
          .latency(Latency.fixed(Duration.ofMillis(latencyMs))).recordedRequests(0).start()) {
        try (Target t = target(c.trim(), backend, n)) {
          Round cold = round(t, n, backend, 0);
          Round warm = round(t, n, backend, backend.connectionStats().accepted());
          System.out.printf("| %s | %.2f | %d | %d | %.2f | %d | %d |%n", c, cold.wallSeconds, cold.connections,
              cold.failed, warm.wallSeconds, warm.connections, warm.failed);
        }
      }
    }
  }

  record Round(double wallSeconds, long connections, int failed) {}

  private static Round round(Target t, int n, MockBackend backend, long connectionsBefore) throws Exception {
    long t0 = System.nanoTime();
    List<CompletableFuture<?>> calls = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) calls.add(t.fetch(i));
    int failed = 0;
    for (CompletableFuture<?> f : calls) {
      try {
        f.get(120, TimeUnit.SECONDS);
      } catch (Exception e) {
        failed++;
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    return new Round(wall, backend.connectionStats().accepted() - connectionsBefore, failed);
  }

  interface Target extends AutoCloseable {
    CompletableFuture<?> fetch(int id);

    @Override
    void close();
  }

  private static Target target(String kind, MockBackend backend, int n) throws Exception {
    HandshakeCertificates trust = backend.tlsCertificates().clientHandshake();
    String base = backend.url();
    switch (kind) {
      case "fanout": {
        FanoutClient client = FanoutClient.builder().baseUrl(base)
            .trustedCertificatesPem(backend.tlsCertificates().caCertificatePem()).build();
        return new Target() {
          public CompletableFuture<?> fetch(int id) {
            return client.users().getAsync(id);
          }

          public void close() {
            client.close();
          }
        };
      }
      case "okhttp": {
        Dispatcher d = new Dispatcher();
        d.setMaxRequests(n);
        d.setMaxRequestsPerHost(n);
        OkHttpClient ok = new OkHttpClient.Builder().dispatcher(d).connectionPool(new ConnectionPool(n, 5, TimeUnit.MINUTES))
            .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager()).build();
        return new Target() {
          public CompletableFuture<?> fetch(int id) {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            ok.newCall(new Request.Builder().url(base + "/users/" + id).build()).enqueue(new Callback() {
              public void onFailure(Call call, IOException e) {
                f.completeExceptionally(e);
              }

              public void onResponse(Call call, Response response) {
                try (response) {
                  response.body().string();
                  if (response.code() != 200) f.completeExceptionally(new IOException("HTTP " + response.code()));
                  else f.complete(response.code());
                } catch (IOException e) {
                  f.completeExceptionally(e);
                }
              }
            });
            return f;
          }

          public void close() {
            ok.dispatcher().executorService().shutdown();
            ok.connectionPool().evictAll();
          }
        };
      }
      case "jdk": {
        SSLContext ssl = trust.sslContext();
        HttpClient jdk = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_2).build();
        return new Target() {
          public CompletableFuture<?> fetch(int id) {
            return jdk.sendAsync(HttpRequest.newBuilder(URI.create(base + "/users/" + id)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
                  if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
                  return r.statusCode();
                });
          }

          public void close() {
            // the JDK client's connections go with it
          }
        };
      }
      default:
        throw new IllegalArgumentException("unknown client: " + kind + " (fanout, okhttp, jdk)");
    }
  }
}
