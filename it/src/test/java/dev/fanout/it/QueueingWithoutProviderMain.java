package dev.fanout.it;

import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutReport;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;

/**
 * A user's program that fans out 6 lookups through a client with {@code maxInFlight(2)}, so 4 calls queue;
 * run by {@link NoSlf4jProviderTest} in a JVM of its own. Prints, on stdout, how many calls the report
 * shows queued for at least 100 ms, the server's max in flight, and the report.
 */
public final class QueueingWithoutProviderMain {
  /** Each call's latency: a queued call waits at least this long for a slot. */
  static final Duration LATENCY = Duration.ofMillis(200);

  private QueueingWithoutProviderMain() {}

  public static void main(String[] args) throws Exception {
    try (MockBackend backend = MockBackend.start(Latency.fixed(LATENCY));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(2).build()) {
      FanoutFuture<List<User>> run = Fanout.all(List.of(1L, 2L, 3L, 4L, 5L, 6L), (id, context) -> client.users().withContext(context).getAsync(id), FanoutOptions.defaults());
      run.await();
      FanoutReport report = run.report();
      long queued = report.entries().stream()
          .flatMap(e -> e.calls().stream())
          .mapToLong(CallTrace::clientQueueNanos)
          .filter(nanos -> nanos >= Duration.ofMillis(100).toNanos())
          .count();
      System.out.println("queued calls: " + queued);
      System.out.println("server max in flight: " + backend.stats().maxInFlight());
      System.out.println(report);
    }
  }
}
