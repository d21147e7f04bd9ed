package dev.fanout.bench.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.bench.ClientKind;
import dev.fanout.bench.ResultLine;
import dev.fanout.bench.cli.RoundsOption;
import dev.fanout.bench.cli.UrlOption;
import dev.fanout.common.cli.Ranges;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The client side of one benchmark run, executed in its own JVM by the harness: builds one client, runs
 * {@code --rounds} fan-outs of {@code --n} user lookups (round 1 is the cold one) or a fixed-concurrency
 * throughput loop, and prints one line {@code RESULT {json}} with its timings and its own process figures.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = "Internal: runs one client in this JVM and prints a RESULT line (the harness starts it).")
public final class ClientCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--client", required = true, description = "fanout, fanout-h2c, fanout-n, okhttp, okhttp-n, okhttp-vt or jdk.")
  String client;

  @Mixin
  UrlOption url;

  @Option(names = "--n", defaultValue = "6", description = "Calls per fan-out. Defaults to ${DEFAULT-VALUE}.")
  int n;

  @Mixin
  RoundsOption rounds;

  @Option(names = "--round-budget-ms", defaultValue = "0",
      description = "Stop after round 2 or later once the rounds have taken this long; 0 runs every round. "
          + "Defaults to ${DEFAULT-VALUE}.")
  long roundBudgetMs;

  @Option(names = "--prime", description = "Open the client's connection before round 1. Defaults to false.")
  boolean prime;

  @Option(names = "--throughput", description = "Measure requests/s at --concurrency instead of fan-outs.")
  boolean throughput;

  @Option(names = "--concurrency", defaultValue = "64",
      description = "Requests in flight in --throughput mode. Defaults to ${DEFAULT-VALUE}.")
  int concurrency;

  @Option(names = "--warmup-ms", defaultValue = "2000",
      description = "Unmeasured warm-up of --throughput mode. Defaults to ${DEFAULT-VALUE}.")
  long warmupMs;

  @Option(names = "--duration-ms", defaultValue = "4000",
      description = "Measured time of --throughput mode. Defaults to ${DEFAULT-VALUE}.")
  long durationMs;

  @Override
  public Integer call() throws Exception {
    ClientKind kind = ClientKind.of(client);
    Ranges.atLeast(spec, "--n", n, 1);
    Ranges.atLeast(spec, "--concurrency", concurrency, 1);
    ObjectMapper json = new ObjectMapper();
    ObjectNode out = json.createObjectNode();
    out.put("client", kind.id());
    out.put("java", Runtime.version().toString());
    int bound = throughput ? concurrency : n;
    try (HttpTarget target = Targets.create(kind, url.url(), bound)) {
      if (prime) {
        long t0 = System.nanoTime();
        out.put("primeRequests", target.prime());
        out.put("primeMs", Figures.millis(System.nanoTime() - t0));
      }
      if (throughput) {
        throughput(target, out);
      } else {
        List<Long> ids = Figures.userIds(n);
        ArrayNode rs = out.putArray("rounds");
        long spent = 0;
        for (int r = 0; r < rounds.rounds(); r++) {
          HttpTarget.Round round = target.fanOut(ids);
          rs.addObject().put("wallMs", Figures.millis(round.wallNanos())).put("failures", round.failures());
          spent += round.wallNanos();
          if (r >= 1 && roundBudgetMs > 0 && spent > TimeUnit.MILLISECONDS.toNanos(roundBudgetMs)) break;
        }
      }
      out.put("peakPlatformThreads", ManagementFactory.getThreadMXBean().getPeakThreadCount());
    }
    out.put("cpuS", ProcSelf.cpu().toNanos() / 1e9);
    out.put("peakRssKib", ProcSelf.peakRssKib());
    ResultLine.print(System.out, out);
    return 0;
  }

  /**
   * Keeps {@code concurrency} requests in flight: each completion starts the next. The clock starts at the
   * first completion (so a slow connect or class loading is not counted), then {@code warmupMs} go
   * unmeasured and completions within the next {@code durationMs} are counted.
   */
  private void throughput(HttpTarget target, ObjectNode out) throws InterruptedException {
    Window window = new Window(TimeUnit.MILLISECONDS.toNanos(warmupMs), TimeUnit.MILLISECONDS.toNanos(durationMs));
    CountDownLatch loopsDone = new CountDownLatch(concurrency);
    for (int i = 0; i < concurrency; i++) {
      new Loop(target, window, loopsDone).next();
    }
    if (!loopsDone.await(warmupMs + durationMs + 120_000, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("throughput loops did not finish within two minutes of their end");
    }
    double seconds = durationMs / 1000.0;
    out.put("concurrency", concurrency);
    out.put("durationMs", durationMs);
    out.put("warmupMs", warmupMs);
    out.put("requests", window.measured.get());
    out.put("failures", window.failures.get());
    out.put("requestsPerSecond", window.measured.get() / seconds);
  }

  /** The measuring window, which opens {@code warmup} after the first completion. */
  private static final class Window {
    final long warmupNanos;
    final long durationNanos;
    final AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong measured = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong nextId = new AtomicLong();

    Window(long warmupNanos, long durationNanos) {
      this.warmupNanos = warmupNanos;
      this.durationNanos = durationNanos;
    }

    /** Records one completion at {@code now}; returns whether the loop should go on. */
    boolean complete(long now, boolean ok) {
      measureFrom.compareAndSet(Long.MAX_VALUE, now + warmupNanos);
      long from = measureFrom.get();
      long end = from + durationNanos;
      if (now >= from && now < end) {
        if (ok) measured.incrementAndGet();
        else failures.incrementAndGet();
      }
      return now < end;
    }
  }

  /** One of the {@code concurrency} request chains: each completion starts the next request. */
  private static final class Loop {
    private final HttpTarget target;
    private final Window window;
    private final CountDownLatch done;

    Loop(HttpTarget target, Window window, CountDownLatch done) {
      this.target = target;
      this.window = window;
      this.done = done;
    }

    void next() {
      long id = 1 + Math.floorMod(window.nextId.getAndIncrement(), 10_000L);
      target.fetchUser(id).whenComplete((got, error) -> {
        boolean ok = error == null && got != null && got == id;
        if (window.complete(System.nanoTime(), ok)) next();
        else done.countDown();
      });
    }
  }
}
