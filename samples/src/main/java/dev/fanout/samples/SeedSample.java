package dev.fanout.samples;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutClient;
import dev.fanout.users.User;
import dev.fanout.samples.cli.CommonOptions;
import dev.fanout.samples.cli.OrderedLines;
import dev.fanout.samples.cli.Ordinals;
import dev.fanout.samples.cli.Session;
import dev.fanout.samples.cli.Style;
import dev.fanout.samples.report.ModeRecorder;
import dev.fanout.samples.report.RunReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The source document's program, in Java: {@code findUsers(n)} looks up users 1..n one after another, and
 * {@code findUsers(3)}, {@code findUsers(2)}, {@code findUsers(1)} run three ways.
 *
 * <ol>
 *   <li>{@code sequential}: one chain after another, like the document's {@code process_sync} (6 lookups: ≈ 6 s
 *       at 1 s latency);
 *   <li>{@code concurrent}: the three chains side by side, like {@code asyncio.gather} in
 *       {@code process_async} (the longest chain: ≈ 3 s);
 *   <li>{@code fan-out}: all six lookups at once, since none depends on another (one round trip: ≈ 1 s).
 * </ol>
 *
 * Every lookup is a real {@code GET /users/{id}} through {@link FanoutClient}.
 *
 * <p>Source document: "Introduction to Asynchronous Programming" by the author of roy-lee-ai.com,
 * https://roy-lee-ai.com/posts/asyncio, licensed under CC BY 4.0
 * (https://creativecommons.org/licenses/by/4.0/). Its Python program and printed lines are rewritten here in
 * Java on Fanout, with an HTTP lookup in place of {@code asyncio.sleep(1)} and a fan-out mode added; see NOTICE.
 */
@Command(
    name = "seed",
    mixinStandardHelpOptions = true,
    description = "The asyncio tutorial's find_users program in Java: 6 user lookups run sequentially (~6 s), "
        + "as 3 concurrent chains (~3 s) and as one fan-out (~1 s) against a 1 s-latency server.")
final class SeedSample implements Callable<Integer> {
  /** The document's three calls: {@code find_users(3)}, {@code find_users(2)}, {@code find_users(1)}. */
  static final List<Integer> CHAINS = List.of(3, 2, 1);

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  /** Where a chain's lines go: printed at once, or held back into the event loop's order. */
  private interface Lines {
    void print(int chain, int step, String line);
  }

  /** One running {@code findUsers(n)}: its lookups (for the report) and its end (after the "Total" line). */
  private record Chain(int n, FanoutFuture<List<User>> lookups, CompletableFuture<List<User>> done) {}

  /** One lookup of the fan-out mode: user {@code id} of chain {@code findUsers(n)}. */
  private record Lookup(int n, long id) {}

  private FanoutClient client;
  private PrintWriter out;
  private Style style;

  /** Instantiated by picocli, once per run. */
  private SeedSample() {}

  @Override
  public Integer call() {
    out = spec.commandLine().getOut();
    style = Style.detect();
    try (Session session = Session.open(common)) {
      client = session.client();
      out.println(style.bold("Fanout seed") + " · the asyncio tutorial's find_users, in Java");
      session.printTarget(out);
      warmUp();
      out.println();

      List<RunReport.Mode> modes = new ArrayList<>();
      boolean ok = true;
      String[] names = {"sequential", "concurrent", "fan-out"};
      String[] explanations = {
          "findUsers(3), then findUsers(2), then findUsers(1): one lookup at a time",
          "the three chains side by side, like asyncio.gather",
          "all six lookups at once: none of them depends on another"};
      for (int i = 0; i < names.length; i++) {
        out.println(style.mode(i, style.bold("━━ " + names[i])) + "  " + style.dim(explanations[i]));
        out.flush();
        session.resetStats();
        ModeRecorder mode = ModeRecorder.start(names[i]);
        ok &= switch (i) {
          case 0 -> sequential(mode);
          case 1 -> concurrent(mode);
          default -> fanOut(mode);
        };
        RunReport.Mode result = mode.toMode();
        result = result.withServer(session.serverStats());
        modes.add(result);
        out.printf(Locale.ROOT, " >>> total time taken for %s process: %.2f s%n%n",
            names[i], result.wallMillis() / 1000.0);
        out.flush();
      }
      compare(modes);
      session.finish("seed", modes, out);
      out.flush();
      return ok ? 0 : 1;
    }
  }

  /**
   * One untimed lookup before the clock starts: it opens the first connection and loads the HTTP, JSON and
   * fan-out code, so that the timed modes measure waiting on the network, not the JVM warming up.
   */
  private void warmUp() {
    out.println(style.dim("Warming up: one untimed lookup..."));
    out.flush();
    Fanout.sequential(List.of(1L), (id, context) -> client.users().getAsync(id), FanoutOptions.defaults()).await();
  }

  /**
   * {@code findUsers(n)}: looks up users 1..n one after another, printing a line before each lookup and a
   * total at the end, like the document's {@code find_users_async(n)}. Nothing blocks: each lookup starts when
   * the previous one's response arrives.
   */
  private Chain findUsers(int n, Lines lines) {
    List<Long> ids = LongStream.rangeClosed(1, n).boxed().toList();
    FanoutFuture<List<User>> lookups = Fanout.sequential(ids, (id, context) -> {
      lines.print(n, (int) (id - 1), Ordinals.of(id) + " user is being searched out of " + n + " people...");
      return client.users().getAsync(id);
    }, FanoutOptions.defaults());
    CompletableFuture<List<User>> done = lookups.thenApply(users -> {
      lines.print(n, n, "Total " + n + " people have been searched!");
      return users;
    });
    return new Chain(n, lookups, done);
  }

  /** {@code process_sync}: each chain starts when the previous one has finished. */
  private boolean sequential(ModeRecorder mode) {
    Lines lines = (chain, step, line) -> {
      out.println(line);
      out.flush();
    };
    try {
      for (int n : CHAINS) {
        Chain chain = findUsers(n, lines);
        try {
          chain.done().join();
        } finally {
          mode.add(chain.lookups().report(), entry -> userInput(n, entry.index() + 1));
        }
      }
      return true;
    } catch (RuntimeException e) {
      return failed(e);
    } finally {
      mode.finish();
    }
  }

  /** {@code process_async}: the three chains run side by side, as {@code asyncio.gather} runs them. */
  private boolean concurrent(ModeRecorder mode) {
    List<String> order = new ArrayList<>();
    for (int step = 0; step <= CHAINS.get(0); step++) {
      for (int n : CHAINS) {
        if (step <= n) {
          order.add(step + ":" + n);
        }
      }
    }
    OrderedLines ordered = new OrderedLines(out, order);
    Map<Integer, Chain> chains = new ConcurrentHashMap<>();
    FanoutFuture<List<List<User>>> gather = Fanout.all(CHAINS, (n, context) -> {
      Chain chain = findUsers(n, (c, step, line) -> ordered.print(step + ":" + c, line));
      chains.put(n, chain);
      return chain.done();
    }, FanoutOptions.defaults());
    return await(gather, mode, ordered, () -> {
      for (int n : CHAINS) {
        Chain chain = chains.get(n);
        if (chain != null) {
          mode.add(chain.lookups().report(), entry -> userInput(n, entry.index() + 1));
        }
      }
    });
  }

  /** All six lookups at once: one round trip instead of three (or six). */
  private boolean fanOut(ModeRecorder mode) {
    List<Lookup> lookups = new ArrayList<>();
    List<String> order = new ArrayList<>();
    for (int n : CHAINS) {
      for (long id = 1; id <= n; id++) {
        lookups.add(new Lookup(n, id));
        order.add("search:" + n + ":" + id);
      }
    }
    for (int n : CHAINS) {
      order.add("total:" + n);
    }
    OrderedLines ordered = new OrderedLines(out, order);
    Map<Integer, AtomicInteger> remaining = new ConcurrentHashMap<>();
    CHAINS.forEach(n -> remaining.put(n, new AtomicInteger(n)));

    FanoutFuture<List<User>> all = Fanout.all(lookups, (lookup, context) -> {
      ordered.print("search:" + lookup.n() + ":" + lookup.id(),
          Ordinals.of(lookup.id()) + " user is being searched out of " + lookup.n() + " people...");
      return client.users().getAsync(lookup.id()).thenApply(user -> {
        if (remaining.get(lookup.n()).decrementAndGet() == 0) {
          ordered.print("total:" + lookup.n(), "Total " + lookup.n() + " people have been searched!");
        }
        return user;
      });
    }, FanoutOptions.defaults());
    return await(all, mode, ordered, () -> mode.add(all.report(), entry -> {
      Lookup lookup = lookups.get(entry.index());
      return userInput(lookup.n(), lookup.id());
    }));
  }

  /**
   * Waits for {@code run}; then, whether it succeeded or not, ends {@code mode}, prints the lines held back for
   * order and records the calls with {@code record}. Returns whether it succeeded.
   */
  private boolean await(FanoutFuture<?> run, ModeRecorder mode, OrderedLines ordered, Runnable record) {
    try {
      run.await();
      return true;
    } catch (RuntimeException e) {
      return failed(e);
    } finally {
      mode.finish();
      ordered.flush();
      record.run();
    }
  }

  private static ModeRecorder.Input userInput(int n, long id) {
    return new ModeRecorder.Input("user " + id + " of " + n, id, "findUsers(" + n + ")");
  }

  private boolean failed(RuntimeException e) {
    out.println(style.red("✕ a lookup failed: " + e));
    out.flush();
    return false;
  }

  /** The short comparison: one bar per mode, to scale, with the speed-up over sequential. */
  private void compare(List<RunReport.Mode> modes) {
    long slowest = modes.stream().mapToLong(RunReport.Mode::wallMillis).max().orElse(1);
    long baseline = Math.max(1, modes.get(0).wallMillis());
    out.println(style.bold("Comparison") + style.dim("  (6 lookups of " + latencyText() + " each)"));
    for (int i = 0; i < modes.size(); i++) {
      RunReport.Mode mode = modes.get(i);
      int width = (int) Math.max(1, Math.round(44.0 * mode.wallMillis() / Math.max(1, slowest)));
      String bar = "█".repeat(width) + " ".repeat(44 - width);
      String speedUp = i == 0 ? "baseline"
          : String.format(Locale.ROOT, "%.1f× faster", (double) baseline / Math.max(1, mode.wallMillis()));
      String server = mode.server() == null ? ""
          : String.format(Locale.ROOT, "  %d requests, at most %d in flight",
              mode.server().requests(), mode.server().maxInFlight());
      out.printf(Locale.ROOT, "  %-11s %s %6.2f s  %-12s%s%n",
          mode.name(), style.mode(i, bar), mode.wallMillis() / 1000.0, speedUp, style.dim(server));
    }
    out.println(style.dim("  Waiting is what takes the time: run the waits together and the total shrinks"
        + " to the longest chain, then to one round trip."));
    out.println();
  }

  private String latencyText() {
    return common.baseUrl() == null
        ? dev.fanout.samples.cli.DurationConverter.format(common.latency()) + " latency"
        : "your API's latency";
  }
}
