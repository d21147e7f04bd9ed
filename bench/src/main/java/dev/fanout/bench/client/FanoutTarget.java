package dev.fanout.bench.client;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.VirtualThreads;
import dev.fanout.users.User;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Fanout's own client: {@code Fanout.settleAll(ids, (id, context) -> client.users().withContext(context).getAsync(id), FanoutOptions.defaults())}, so every call's
 * outcome is counted. Two configurations: the client's defaults, and HTTP/2 cleartext with prior knowledge,
 * virtual threads (on Java 21+) and {@code maxInFlight} raised to the fan-out's size.
 */
final class FanoutTarget implements HttpTarget {
  private final FanoutClient client;

  private FanoutTarget(FanoutClient client) {
    this.client = client;
  }

  /** {@code FanoutClient.builder().baseUrl(url).build()}: HTTP/1.1, {@code maxInFlight} 1,024, the governor on. */
  static FanoutTarget defaults(String baseUrl) {
    return new FanoutTarget(FanoutClient.builder().baseUrl(baseUrl).build());
  }

  /**
   * {@code FanoutClient.builder().baseUrl(url).maxInFlight(n).build()}: the path a user takes who only
   * raises the bound: HTTP/1.1, one connection per call in flight, every other option its default.
   */
  static FanoutTarget defaultPath(String baseUrl, int maxInFlight) {
    return new FanoutTarget(FanoutClient.builder().baseUrl(baseUrl).maxInFlight(maxInFlight).build());
  }

  /**
   * HTTP/2 cleartext with prior knowledge (every call multiplexed on one connection), virtual threads when
   * the JVM has them, and {@code maxInFlight} of {@code maxInFlight}.
   */
  static FanoutTarget h2c(String baseUrl, int maxInFlight) {
    return new FanoutTarget(FanoutClient.builder()
        .baseUrl(baseUrl)
        .http2PriorKnowledge(true)
        .virtualThreads(VirtualThreads.AUTO)
        .maxInFlight(maxInFlight)
        .build());
  }

  @Override
  public CompletableFuture<Long> fetchUser(long id) {
    return client.users().getAsync(id).thenApply(User::id);
  }

  /** Opens the connection with one {@code GET /__admin/stats}, which the backend never delays. */
  @Override
  public int prime() throws IOException {
    Request request = new Request.Builder().url(client.baseUrl().resolve("/__admin/stats")).build();
    try (Response response = client.httpClient().newCall(request).execute()) {
      if (!response.isSuccessful()) throw new IOException("priming failed: HTTP " + response.code());
      response.body().bytes();
    }
    return 1;
  }

  @Override
  public Round fanOut(List<Long> ids) {
    long start = System.nanoTime();
    List<Outcome<User>> outcomes = Fanout.settleAll(ids, (id, context) -> client.users().withContext(context).getAsync(id), FanoutOptions.defaults()).await();
    long wall = System.nanoTime() - start;
    int failures = 0;
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome<User> o = outcomes.get(i);
      if (!o.isSuccess() || o.value().id() != ids.get(i)) failures++;
    }
    return new Round(wall, ids.size(), failures);
  }

  @Override
  public void close() {
    client.close();
  }
}
