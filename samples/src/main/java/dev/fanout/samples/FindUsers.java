package dev.fanout.samples;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

/**
 * The source document's {@code process_async}, in a dozen lines of Fanout: three chains of user lookups,
 * each one after another inside, the chains side by side (≈ 3 s at 1 s latency instead of 6 s).
 *
 * <p>Run it with {@code java -cp samples/target/fanout-samples.jar dev.fanout.samples.FindUsers [BASE_URL]};
 * without a base URL it starts an embedded mock server at 1 s latency. The {@code seed} subcommand is the
 * full, timed and charted version.
 */
public final class FindUsers {
  private FindUsers() {}

  /** {@code find_users_async(n)}: looks up users 1..n one after another. */
  static CompletableFuture<List<User>> findUsers(FanoutClient client, int n) {
    List<Long> ids = LongStream.rangeClosed(1, n).boxed().toList();
    return Fanout.sequential(ids, (id, context) -> {
      System.out.println(id + "th user is being searched out of " + n + " people...");
      return client.users().getAsync(id);
    }, FanoutOptions.defaults()).thenApply(users -> {
      System.out.println("Total " + n + " people have been searched!");
      return users;
    });
  }

  /** {@code process_async}: {@code asyncio.gather(find_users(3), find_users(2), find_users(1))}. */
  static List<List<User>> processAsync(FanoutClient client) {
    long start = System.nanoTime();
    List<List<User>> found = Fanout.all(List.of(3, 2, 1), (n, context) -> findUsers(client, n), FanoutOptions.defaults()).await();
    System.out.printf(" >>> total time taken for async process: %.2f s%n", (System.nanoTime() - start) / 1e9);
    return found;
  }

  public static void main(String[] args) {
    try (MockBackend backend = args.length == 0 ? MockBackend.start(Latency.fixed(Duration.ofSeconds(1))) : null;
        FanoutClient client = FanoutClient.builder().baseUrl(args.length == 0 ? backend.url() : args[0]).build()) {
      processAsync(client);
    }
  }
}
