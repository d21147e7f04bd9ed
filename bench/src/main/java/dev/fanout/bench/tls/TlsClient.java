package dev.fanout.bench.tls;

import dev.fanout.ClientStats;
import dev.fanout.FanoutClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;

/**
 * One Java client of {@link TlsColdWarm}, in a JVM of its own (so its first round is the process's first
 * fan-out): runs {@code rounds} fan-outs of N user lookups over HTTPS, prints {@code ROUND {json}} after each
 * and reads a line from stdin before the next (the driver reads the server's connection count between them).
 *
 * <pre>
 * java -cp fanout-bench.jar dev.fanout.bench.tls.TlsClient KIND URL CA_PEM_FILE N ROUNDS
 * </pre>
 * Kinds: {@code fanout} (defaults, trusting the CA), {@code okhttp} (stock OkHttp, Dispatcher and pool sized to
 * N), {@code jdk} (the JDK HttpClient, HTTP/2).
 */
public final class TlsClient {
  static final List<String> KINDS = List.of("fanout", "okhttp", "jdk");

  private TlsClient() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      throw new IllegalArgumentException("usage: TlsClient KIND URL CA_PEM_FILE N ROUNDS, got " + List.of(args));
    }
    String kind = args[0];
    String base = args[1];
    String caPem = Files.readString(Path.of(args[2]));
    int n = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[4]);
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (Target t = target(kind, base, caPem, n)) {
      for (int r = 1; r <= rounds; r++) {
        ClientStats before = t.stats();
        long t0 = System.nanoTime();
        List<CompletableFuture<?>> calls = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) calls.add(t.fetch(i));
        int failed = 0;
        String firstError = null;
        for (CompletableFuture<?> f : calls) {
          try {
            f.get(120, TimeUnit.SECONDS);
          } catch (Exception e) {
            failed++;
            if (firstError == null) firstError = String.valueOf(e.getCause() != null ? e.getCause() : e);
          }
        }
        double wallMs = (System.nanoTime() - t0) / 1e6;
        ClientStats after = t.stats();
        StringBuilder line = new StringBuilder("ROUND {\"wallMs\":").append(String.format("%.2f", wallMs))
            .append(",\"failures\":").append(failed);
        if (after != null) {
          line.append(",\"calls\":").append(after.callsStarted() - before.callsStarted())
              .append(",\"attempts\":").append(after.attemptsStarted() - before.attemptsStarted());
        }
        line.append('}');
        if (firstError != null) System.err.println("round " + r + ": " + failed + " failed; first: " + firstError);
        System.out.println(line);
        System.out.flush();
        if (r < rounds && stdin.readLine() == null) return;
      }
    }
  }

  interface Target extends AutoCloseable {
    CompletableFuture<?> fetch(int id);

    /** The client's own call and attempt counters, or null for clients that keep none. */
    default ClientStats stats() {
      return null;
    }

    @Override
    void close();
  }

  static Target target(String kind, String base, String caPem, int n) {
    HandshakeCertificates trust = new HandshakeCertificates.Builder()
        .addTrustedCertificate(okhttp3.tls.Certificates.decodeCertificatePem(caPem)).build();
    switch (kind) {
      case "fanout": {
        FanoutClient client = FanoutClient.builder().baseUrl(base).trustedCertificatesPem(caPem).build();
        return new Target() {
          public CompletableFuture<?> fetch(int id) {
            return client.users().getAsync(id);
          }

          public ClientStats stats() {
            return client.stats();
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
        HttpClient jdk = HttpClient.newBuilder().sslContext(trust.sslContext()).version(HttpClient.Version.HTTP_2).build();
        return new Target() {
          public CompletableFuture<?> fetch(int id) {
            return jdk.sendAsync(HttpRequest.newBuilder(URI.create(base + "/users/" + id)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
                  if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
                  return r.statusCode();
                });
          }

          public void close() {
            // the JDK client's connections go with its process
          }
        };
      }
      default:
        throw new IllegalArgumentException("unknown client: " + kind + " " + KINDS);
    }
  }
}
