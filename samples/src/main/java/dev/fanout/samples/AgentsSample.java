package dev.fanout.samples;

import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Jitter;
import dev.fanout.mock.Latency;
import dev.fanout.samples.cli.Ranges;
import dev.fanout.samples.cli.CommonOptions;
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
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A multi-agent step: N agents (chat completions with different roles) work on one task, then an aggregator
 * merges their answers. Three ways:
 *
 * <ol>
 *   <li>{@code sequential}: one agent after another (the baseline);
 *   <li>{@code concurrent}: every agent at once ({@link Fanout#settleAll}: a failed agent does not sink the
 *       others); the aggregator waits for the slowest agent;
 *   <li>{@code hedged}: every agent sends the same request twice and keeps the first answer
 *       ({@link Fanout#firstSuccess}), cancelling the other: the slow tail shrinks.
 * </ol>
 *
 * <h2>Hedge idempotent requests only.</h2>
 * A hedged request may be executed twice by the server (and a chat completion billed twice): hedge reads and
 * generations you can afford to pay for twice, never writes.
 *
 * <p>On the embedded server the chat latency varies (log-normal around {@code --latency}), as real model
 * latencies do, so that some agents are slow.
 */
@Command(
    name = "agents",
    mixinStandardHelpOptions = true,
    description = "N agents (chat completions with different roles) run sequentially, concurrently and hedged "
        + "(first success of 2 identical requests), each followed by one aggregator call.")
final class AgentsSample implements Callable<Integer> {
  static final String DEFAULT_TASK = "Plan the rollout of per-key rate limits for our public API.";
  static final int DEFAULT_AGENTS = 4;
  static final int DEFAULT_HEDGE = 2;
  static final double DEFAULT_JITTER = 0.6;
  static final List<String> ROLES = List.of(
      "researcher", "critic", "planner", "security reviewer", "support lead", "cost analyst", "writer", "tester");

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  @Option(names = "--task", paramLabel = "TEXT", description = "What the agents work on. Defaults to \"" + DEFAULT_TASK + "\".")
  String task = DEFAULT_TASK;

  @Option(names = "--agents", paramLabel = "N", description = "Agents, 1 to 8. Defaults to " + DEFAULT_AGENTS + ".")
  int agents = DEFAULT_AGENTS;

  @Option(names = "--hedge", paramLabel = "N",
      description = "Identical requests per agent in the hedged mode, 2 to 4. Defaults to " + DEFAULT_HEDGE + ".")
  int hedge = DEFAULT_HEDGE;

  @Option(names = "--jitter", paramLabel = "SIGMA",
      description = "Spread of the embedded server's chat latency (log-normal sigma; 0 for none). "
          + "Ignored with --base-url. Defaults to " + DEFAULT_JITTER + ".")
  double jitter = DEFAULT_JITTER;

  private FanoutClient client;

  /** Instantiated by picocli, once per run. */
  private AgentsSample() {}

  @Override
  public Integer call() {
    Ranges.check(spec, "--agents", agents, 1, ROLES.size());
    Ranges.check(spec, "--hedge", hedge, 2, 4);
    Ranges.check(spec, "--jitter", jitter, 0, 3);
    PrintWriter out = spec.commandLine().getOut();
    Style style = Style.detect();
    Latency latency = Latency.builder()
        .delay(common.latency())
        .jitter(jitter == 0 ? Jitter.none() : Jitter.logNormal(jitter))
        .build();
    try (Session session = Session.open(common, latency, Faults.none(), b -> b)) {
      client = session.client();
      List<String> roles = ROLES.subList(0, agents);
      out.println(style.bold("Fanout agents") + " · " + agents + " agents on one task, then an aggregator");
      session.printTarget(out);
      if (session.embedded() && jitter > 0) {
        out.println(style.dim("Chat latency varies (log-normal, sigma " + jitter + "), as real models' do: some agents are slow."));
      }
      out.println("Task: " + task);
      out.println();

      String[] names = {"sequential", "concurrent", "hedged"};
      String[] explanations = {
          "one agent after another",
          "every agent at once; the aggregator waits for the slowest",
          "every agent sends " + hedge + " identical requests and keeps the first answer; the rest are cancelled"};
      List<RunReport.Mode> modes = new ArrayList<>();
      boolean ok = true;
      for (int i = 0; i < names.length; i++) {
        out.println(style.mode(i, style.bold("━━ " + names[i])) + "  " + style.dim(explanations[i]));
        out.flush();
        session.resetStats();
        ModeRecorder mode = ModeRecorder.start(names[i]);
        try {
          List<String> answers = switch (i) {
            case 0 -> sequential(mode, roles);
            case 1 -> concurrent(mode, roles);
            default -> hedged(mode, roles);
          };
          aggregate(mode, answers);
        } catch (RuntimeException e) {
          ok = false;
          out.println(style.red("✕ " + names[i] + " failed: " + e));
        }
        mode.finish();
        RunReport.Mode result = mode.toMode().withServer(session.serverStats());
        modes.add(result);
        printMode(out, style, result);
      }
      long baseline = Math.max(1, modes.get(0).wallMillis());
      out.println(style.bold("Comparison"));
      for (int i = 0; i < modes.size(); i++) {
        RunReport.Mode mode = modes.get(i);
        out.printf(Locale.ROOT, "  %-11s %6.2f s  %s%n", mode.name(), mode.wallMillis() / 1000.0,
            i == 0 ? "baseline" : String.format(Locale.ROOT, "%.1f× faster", (double) baseline / Math.max(1, mode.wallMillis())));
      }
      out.println();
      session.finish("agents", modes, out);
      out.flush();
      return ok ? 0 : 1;
    }
  }

  /** One agent's call: the task, from the point of view of its role. */
  private CompletableFuture<ChatCompletion> ask(String role) {
    return client.chat().createAsync(ChatRequest.builder()
        .model(common.model())
        .addSystemMessage("You are the team's " + role + ". Give your view in three short bullet points.")
        .addUserMessage(task)
        .maxTokens(200)
        .build());
  }

  private List<String> sequential(ModeRecorder mode, List<String> roles) {
    FanoutFuture<List<ChatCompletion>> run = Fanout.sequential(roles, this::ask);
    try {
      return run.await().stream().map(ChatCompletion::content).toList();
    } finally {
      mode.add(run.report(), entry -> agent(roles.get(entry.index())));
    }
  }

  /** settleAll: one outcome per agent; the aggregator works with the agents that answered. */
  private List<String> concurrent(ModeRecorder mode, List<String> roles) {
    FanoutFuture<List<Outcome<ChatCompletion>>> run = Fanout.settleAll(roles, this::ask);
    try {
      return answers(run.await());
    } finally {
      mode.add(run.report(), entry -> agent(roles.get(entry.index())));
    }
  }

  /** Each agent is a firstSuccess over identical requests: the first answer wins, the others are cancelled. */
  private List<String> hedged(ModeRecorder mode, List<String> roles) {
    Map<String, FanoutFuture<ChatCompletion>> hedges = new ConcurrentHashMap<>();
    List<Integer> replicas = IntStream.rangeClosed(1, hedge).boxed().toList();
    FanoutFuture<List<Outcome<ChatCompletion>>> run = Fanout.settleAll(roles, role -> {
      FanoutFuture<ChatCompletion> first = Fanout.firstSuccess(replicas, replica -> ask(role));
      hedges.put(role, first);
      return first;
    });
    try {
      return answers(run.await());
    } finally {
      for (String role : roles) {
        FanoutFuture<ChatCompletion> first = hedges.get(role);
        if (first != null) {
          mode.add(first.report(), entry -> new ModeRecorder.Input(
              role + " #" + (entry.index() + 1), null, role));
        }
      }
    }
  }

  private static List<String> answers(List<Outcome<ChatCompletion>> outcomes) {
    List<String> answers = outcomes.stream().filter(Outcome::isSuccess).map(o -> o.value().content()).toList();
    if (answers.isEmpty()) {
      throw new IllegalStateException("every agent failed: " + outcomes.get(0).error());
    }
    return answers;
  }

  /** The aggregator merges the answers: one call that needs all of them. (A fan-out of one, to time it.) */
  private void aggregate(ModeRecorder mode, List<String> answers) {
    ChatRequest request = ChatRequest.builder()
        .model(common.model())
        .addSystemMessage("You lead the team. Merge your colleagues' views into one plan of five steps.")
        .addUserMessage(task + "\n\nTheir views:\n" + String.join("\n---\n", answers))
        .maxTokens(300)
        .build();
    FanoutFuture<List<ChatCompletion>> run = Fanout.sequential(List.of(request), client.chat()::createAsync);
    try {
      run.await();
    } finally {
      mode.add(run.report(), entry -> new ModeRecorder.Input("aggregator", null, "aggregator"));
    }
  }

  private static ModeRecorder.Input agent(String role) {
    return new ModeRecorder.Input(role, null, role);
  }

  /** Each lane's time (for a hedged agent: its winning request), the slowest agent, and the total. */
  private static void printMode(PrintWriter out, Style style, RunReport.Mode mode) {
    Map<String, List<RunReport.Call>> byLane = new java.util.LinkedHashMap<>();
    for (RunReport.Call call : mode.calls()) {
      byLane.computeIfAbsent(call.lane(), k -> new ArrayList<>()).add(call);
    }
    String slowest = null;
    long slowestMillis = -1;
    for (Map.Entry<String, List<RunReport.Call>> lane : byLane.entrySet()) {
      RunReport.Call winner = lane.getValue().stream().filter(RunReport.Call::ok).findFirst().orElse(lane.getValue().get(0));
      long took = winner.started() ? winner.endMillis() - winner.startMillis() : 0;
      long cancelled = lane.getValue().stream().filter(c -> c.outcome() == Outcome.Kind.CANCELLED).count();
      String note = lane.getValue().size() > 1
          ? String.format(Locale.ROOT, "  %s won; %d cancelled", winner.label(), cancelled)
          : winner.ok() ? "" : "  " + winner.describe();
      out.printf(Locale.ROOT, "  %-18s %5.2f s%s%n", lane.getKey(), took / 1000.0, style.dim(note));
      if (!lane.getKey().equals("aggregator") && took > slowestMillis) {
        slowestMillis = took;
        slowest = lane.getKey();
      }
    }
    out.printf(Locale.ROOT, " >>> %s: %.2f s%s%n%n", mode.name(), mode.wallMillis() / 1000.0,
        slowest == null ? "" : String.format(Locale.ROOT, " (slowest agent: %s, %.2f s)", slowest, slowestMillis / 1000.0));
    out.flush();
  }
}
