package dev.fanout.bench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutReport;
import dev.fanout.HedgePolicy;
import dev.fanout.Outcome;
import dev.fanout.bench.ResultLine;
import dev.fanout.bench.cli.RoundsOption;
import dev.fanout.bench.cli.TailOptions;
import dev.fanout.bench.cli.UrlOption;
import dev.fanout.common.cli.DurationConverter;
import dev.fanout.users.User;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The client side of the tail workload, run in its own JVM by {@code fanout-bench tail}: one
 * {@code FanoutClient} (HTTP/1.1, {@code maxInFlight} = N, hedging as {@code --hedge} says) runs
 * {@code --rounds} fan-outs of N user lookups; around each round it resets the backend's counters and, once the
 * backend is idle again, reads them, so every figure of a round (requests, responses cut short, tail draws)
 * is the backend's own. Prints one {@code RESULT {json}} line.
 */
@Command(name = "tail-client", mixinStandardHelpOptions = true,
    description = "Internal: runs the tail workload's client in this JVM and prints a RESULT line.")
public final class TailClientCommand implements Callable<Integer> {
  @Mixin
  UrlOption url;

  @Mixin
  TailOptions workload;

  @Mixin
  RoundsOption rounds;

  @Option(names = "--hedge", defaultValue = "none",
      description = "none, a fixed delay such as 200ms, or auto (the route's observed p95). Defaults to ${DEFAULT-VALUE}.")
  String hedge;

  private final ObjectMapper json = new ObjectMapper();

  static HedgePolicy policy(String hedge, double budget) {
    if (hedge.equals("none")) return HedgePolicy.disabled();
    HedgePolicy.Builder b = HedgePolicy.builder().budget(budget);
    return (hedge.equals("auto") ? b.auto() : b.delay(DurationConverter.parse(hedge))).build();
  }

  @Override
  public Integer call() throws Exception {
    int n = workload.n();
    HedgePolicy policy = policy(hedge, workload.budget());
    ObjectNode out = json.createObjectNode();
    out.put("hedge", hedge);
    out.put("java", Runtime.version().toString());
    List<Long> ids = Figures.userIds(n);
    try (FanoutClient client = FanoutClient.builder().baseUrl(url.url()).maxInFlight(n).hedging(policy).build()) {
      ArrayNode rs = out.putArray("rounds");
      for (int r = 0; r < rounds.rounds(); r++) {
        admin(client, "POST", "/__admin/reset");
        long start = System.nanoTime();
        FanoutFuture<List<Outcome<User>>> run = Fanout.settleAll(ids, (id, context) -> client.users().withContext(context).getAsync(id), FanoutOptions.defaults());
        List<Outcome<User>> outcomes = run.await();
        long wall = System.nanoTime() - start;
        FanoutReport report = run.report();
        long failures = outcomes.stream().filter(o -> !o.isSuccess()).count();
        long[] ms = report.entries().stream().mapToLong(e -> e.duration().toNanos()).sorted().toArray();
        JsonNode stats = idleStats(client);
        ObjectNode round = rs.addObject();
        round.put("wallMs", Figures.millis(wall));
        round.put("failures", failures);
        round.put("p50Ms", Figures.millis(quantile(ms, 0.50)));
        round.put("p99Ms", Figures.millis(quantile(ms, 0.99)));
        round.put("maxMs", Figures.millis(quantile(ms, 1.0)));
        round.put("hedgesSent", report.hedgesSent());
        round.put("hedgesWon", report.hedgesWon());
        round.put("serverRequests", stats.path("requests").path("users").asLong());
        round.put("serverAborted", stats.path("aborted").asLong());
        round.put("serverCompleted", stats.path("completed").asLong());
        round.put("serverTailDraws", stats.path("faults").path("tailLatency").asLong());
      }
    }
    out.put("cpuS", ProcSelf.cpu().toNanos() / 1e9);
    ResultLine.print(System.out, out);
    return 0;
  }

  /** Waits (up to 10 s) until the backend holds no request, then returns its counters. */
  private JsonNode idleStats(FanoutClient client) throws IOException, InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonNode stats = admin(client, "GET", "/__admin/stats");
    while (stats.path("inFlight").asInt() > 0 && System.nanoTime() < until) {
      TimeUnit.MILLISECONDS.sleep(20);
      stats = admin(client, "GET", "/__admin/stats");
    }
    return stats;
  }

  private JsonNode admin(FanoutClient client, String method, String path) throws IOException {
    Request request = new Request.Builder().url(client.baseUrl().resolve(path))
        .method(method, method.equals("POST") ? RequestBody.create(new byte[0], MediaType.get("application/json")) : null)
        .build();
    try (Response response = client.httpClient().newCall(request).execute()) {
      if (!response.isSuccessful()) throw new IOException(method + " " + path + ": HTTP " + response.code());
      String body = response.body().string();
      return body.isBlank() ? json.createObjectNode() : json.readTree(body);
    }
  }

  /** The {@code p} quantile (nearest rank) of sorted {@code values}; 0 for none. */
  static long quantile(long[] sorted, double p) {
    if (sorted.length == 0) return 0;
    int rank = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  @Override
  public String toString() {
    return "tail-client " + Arrays.asList(url.url(), workload.n(), rounds.rounds(), hedge, workload.budget());
  }
}
