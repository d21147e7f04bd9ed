package dev.fanout.bench.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The JDK's {@code java.net.http.HttpClient} as a user would pick it: {@code HttpClient.newHttpClient()}
 * (its defaults: HTTP/2 preferred, so on cleartext HTTP it asks for an upgrade and stays on HTTP/1.1 when
 * the server ignores it) and {@code sendAsync} for every call.
 */
final class JdkTarget implements HttpTarget {
  private final HttpClient client = HttpClient.newHttpClient();
  private final String baseUrl;

  JdkTarget(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  @Override
  public CompletableFuture<Long> fetchUser(long id) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/users/" + id)).GET().build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
      if (response.statusCode() != 200) {
        throw new CompletionException(new IOException("HTTP " + response.statusCode() + " for user " + id));
      }
      try {
        return Bodies.userId(response.body());
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    });
  }

  @Override
  public void close() {
    // HttpClient is AutoCloseable only from Java 21; its threads are daemons and die with the process.
    if (client instanceof AutoCloseable) {
      try {
        ((AutoCloseable) client).close();
      } catch (Exception ignored) {
        // Closing at the end of a benchmark process: nothing left to release.
      }
    }
  }
}
