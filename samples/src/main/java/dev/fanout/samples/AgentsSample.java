package dev.fanout.samples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.CallOptions;
import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutReport;
import dev.fanout.chat.Agent;
import dev.fanout.chat.AgentResult;
import dev.fanout.chat.Tool;
import dev.fanout.chat.ToolCall;
import dev.fanout.chat.ToolHandler;
import dev.fanout.common.cli.Ranges;
import dev.fanout.samples.cli.CommonOptions;
import dev.fanout.samples.cli.DurationConverter;
import dev.fanout.samples.cli.Session;
import dev.fanout.samples.cli.Style;
import dev.fanout.samples.report.ModeRecorder;
import dev.fanout.samples.report.RunReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.fanout.samples.cli.Provider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A multi-agent run with the SDK's tool loop ({@link Agent}): a lead agent whose tools are sub-agents
 * (researcher, critic, planner, security reviewer, each an agent with a search tool of its own) and two
 * lookups. Each step's tool calls run at once, the sub-agents' own lookups too, all under the lead's one
 * deadline.
 *
 * <p>First the sequential baseline: the same agents, the same calls, one tool call at a time
 * (options with {@code maxConcurrency(1)} everywhere); then the parallel run. The wall times and the speed-up are
 * printed side by side.
 *
 * <p>{@code --provider anthropic} runs every agent on Anthropic's Messages API instead of OpenAI's chat
 * completions: the same loop, the same calls.
 *
 * <p>On the embedded mock the model's tool calls are deterministic (the mock picks the tools the message
 * names, one call per subject); with {@code --base-url} a real model decides which tools to call.
 */
@Command(
    name = "agents",
    mixinStandardHelpOptions = true,
    description = "A lead agent whose tools are sub-agents and lookups (the SDK's tool loop): each step's tool "
        + "calls at once under one deadline, then the same run one tool call at a time; prints both wall times.")
final class AgentsSample implements Callable<Integer> {
  static final String DEFAULT_TASK = "Plan the rollout of per-key rate limits for our public API.";
  static final int DEFAULT_AGENTS = 3;
  static final int DEFAULT_MAX_PARALLEL = Agent.DEFAULT_MAX_PARALLEL_TOOLS;
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

  /** A sub-agent: its tool name, what the lead asks it about, and where it searches. */
  record Role(String tool, String title, String topic, String sources) {}

  static final List<Role> ROLES = List.of(
      new Role("researcher", "researcher", "prior art", "the papers and the standards"),
      new Role("critic", "critic", "risks", "the incidents and the tickets"),
      new Role("planner", "planner", "rollout steps", "the runbooks and the calendar"),
      new Role("security_reviewer", "security reviewer", "abuse", "the audit logs and the advisories"));

  static final Tool SEARCH = Tool.function("search", "Search one source for passages on a query", Map.of(
      "type", "object",
      "properties", Map.of(
          "source", Map.of("type", "string", "description", "Where to search, such as the tickets"),
          "query", Map.of("type", "string", "description", "What to search for")),
      "required", List.of("source", "query"),
      "additionalProperties", false), true);

  static final Tool SEARCH_DOCS = lookup("search_docs", "Search the product documentation");
  static final Tool SEARCH_TICKETS = lookup("search_tickets", "Search the support tickets");

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  @Option(names = "--task", paramLabel = "TEXT", description = "What the agents work on. Defaults to \"" + DEFAULT_TASK + "\".")
  String task = DEFAULT_TASK;

  @Option(names = "--agents", paramLabel = "N",
      description = "Sub-agents of the lead, 1 to 4 (researcher, critic, planner, security reviewer). Defaults to "
          + DEFAULT_AGENTS + ".")
  int agents = DEFAULT_AGENTS;

  @Option(names = "--max-parallel", paramLabel = "N",
      description = "Tool calls of one step at once in the parallel run (the agents' maxConcurrency), 1 to 64. Defaults to "
          + DEFAULT_MAX_PARALLEL + ".")
  int maxParallel = DEFAULT_MAX_PARALLEL;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "The lead's deadline, shared by every sub-agent and tool. Defaults to 2m0s.")
  Duration timeout = DEFAULT_TIMEOUT;

  private FanoutClient client;

  /** Instantiated by picocli, once per run. */
  private AgentsSample() {}

  @Override
  public Integer call() {
    Ranges.check(spec, "--agents", agents, 1, ROLES.size());
    Ranges.check(spec, "--max-parallel", maxParallel, 1, 64);
    Ranges.positive(spec, "--timeout", timeout);
    PrintWriter out = spec.commandLine().getOut();
    Style style = Style.detect();
    try (Session session = Session.open(common)) {
      client = session.client();
      List<Role> roles = ROLES.subList(0, agents);
      out.println(style.bold("Fanout agents") + " · a lead agent whose tools are " + agents + " sub-agent"
          + (agents == 1 ? "" : "s") + " and 2 lookups");
      session.printTarget(out);
      out.println("Task: " + task);
      out.println();

      String[] names = {"sequential", "parallel"};
      int[] parallelism = {1, maxParallel};
      String[] explanations = {
          "the baseline: one tool call at a time (maxConcurrency 1), under one "
              + DurationConverter.format(timeout) + " deadline",
          "the same agents and calls, each step's tool calls at once (maxConcurrency " + maxParallel + ")"};
      List<RunReport.Mode> modes = new ArrayList<>();
      String answer = null;
      List<String> failed = new ArrayList<>();
      for (int i = 0; i < names.length; i++) {
        out.println(style.mode(i, style.bold("━━ " + names[i])) + "  " + style.dim(explanations[i]));
        out.flush();
        session.resetStats();
        Agent lead = lead(roles, parallelism[i]);
        ModeRecorder mode = ModeRecorder.start(names[i]);
        // The run inside a fan-out of one: its report traces every HTTP call of the run, even a failed one.
        FanoutFuture<List<AgentResult>> run = Fanout.all(List.of(prompt(roles)),
            (message, context) -> lead.runAsync(message, context), FanoutOptions.defaults());
        AgentResult result = null;
        try {
          result = run.await().get(0);
          answer = result.content();
        } catch (RuntimeException e) {
          failed.add(names[i]);
          out.println(style.red("✕ " + names[i] + " failed: " + e));
        }
        mode.finish();
        mode.addTraces(run.report().entries().get(0).calls(), AgentsSample::describe);
        RunReport.Mode recorded = mode.toMode().withServer(session.serverStats());
        modes.add(recorded);
        if (result != null) {
          printRun(out, style, result, recorded);
        }
      }
      RunReport.Mode sequential = modes.get(0);
      RunReport.Mode parallel = modes.get(1);
      out.println(style.bold("Comparison"));
      out.printf(Locale.ROOT, "  %-11s %6.2f s  %d HTTP calls  baseline%n", "sequential",
          sequential.wallMillis() / 1000.0, sequential.calls().size());
      out.printf(Locale.ROOT, "  %-11s %6.2f s  %d HTTP calls  %s%n", "parallel", parallel.wallMillis() / 1000.0,
          parallel.calls().size(), failed.isEmpty()
              ? style.green(String.format(Locale.ROOT, "%.1f× faster",
                  (double) Math.max(1, sequential.wallMillis()) / Math.max(1, parallel.wallMillis())))
              : style.red("not compared: the " + String.join(" and the ", failed) + " run failed"));
      if (answer != null) {
        out.println();
        out.println(style.bold("Answer") + style.dim(" (" + session.model() + ")") + ": " + abbreviate(answer));
      }
      out.println();
      session.finish("agents", modes, out);
      out.flush();
      return failed.isEmpty() ? 0 : 1;
    }
  }

  /** The lead's message: the task, and who to ask about what (the mock calls the tools it names). */
  private String prompt(List<Role> roles) {
    StringBuilder b = new StringBuilder(task.strip());
    if (!task.strip().endsWith(".")) {
      b.append('.');
    }
    b.append(" Get");
    for (Role role : roles) {
      b.append(" the ").append(role.title()).append(" on ").append(role.topic()).append(',');
    }
    return b.append(" search docs for quotas and search tickets for complaints.").toString();
  }

  /** The lead: its sub-agents and two lookups as tools, each step's calls at most {@code parallel} at once. */
  private Agent lead(List<Role> roles, int parallel) {
    Agent.Builder lead = model(Agent.builder()
        .name("lead"))
        .instructions("You lead a team. Ask your colleagues and search what you need, all in one go; "
            + "then merge what you learnt into a plan of five steps.")
        .options(FanoutOptions.builder().maxConcurrency(parallel).timeout(timeout).build());
    for (Role role : roles) {
      Agent sub = model(Agent.builder()
          .name(role.tool()))
          .instructions("You are the team's " + role.title() + ". Search the sources you are given, "
              + "then give your view in three short bullet points.")
          .addTool(SEARCH, search(role.tool()))
          .options(FanoutOptions.builder().maxConcurrency(parallel).build())
          .build();
      lead.addAgentTool(role.tool(), "Ask the " + role.title() + " about a topic", sub,
          topic -> topic + " in " + role.sources());
    }
    return lead
        .addTool(SEARCH_DOCS, search("lead"))
        .addTool(SEARCH_TICKETS, search("lead"))
        .build();
  }

  /** Puts the agent on {@code --provider}'s API: OpenAI's chat completions or Anthropic's Messages API. */
  private Agent.Builder model(Agent.Builder agent) {
    return (common.provider() == Provider.ANTHROPIC ? agent.messages(client.messages()) : agent.chat(client.chat()))
        .model(common.model());
  }

  /** A search tool of {@code agent}: one GET through the call's context, labelled for the report. */
  private ToolHandler search(String agent) {
    return (call, context) -> {
      String query = argument(call, "query");
      String source = call.name().equals("search") ? argument(call, "source") : call.name().substring(7);
      String label = agent + ": search " + source;
      return client.json()
          .withOptions(CallOptions.builder().context(context).label(label).build())
          .getAsync("search", Map.of("k", 2, "q", source + ": " + query), JsonNode.class)
          .thenApply(hits -> passages(hits));
    };
  }

  static final int MAX_ANSWER_CHARS = 600;

  private static String abbreviate(String text) {
    return text.length() <= MAX_ANSWER_CHARS ? text : text.substring(0, MAX_ANSWER_CHARS) + " …";
  }

  private static String passages(JsonNode hits) {
    List<String> texts = new ArrayList<>();
    hits.path("documents").forEach(d -> texts.add(d.path("text").asText()));
    return String.join(" ", texts);
  }

  private static String argument(ToolCall call, String name) {
    try {
      JsonNode value = call.argumentsJson().get(name);
      return value != null && value.isTextual() ? value.asText() : call.arguments();
    } catch (RuntimeException e) {
      return call.arguments();
    }
  }

  private static Tool lookup(String name, String description) {
    return Tool.function(name, description, Map.of(
        "type", "object",
        "properties", Map.of("query", Map.of("type", "string")),
        "required", List.of("query"),
        "additionalProperties", false), true);
  }

  /** A traced call's lane is its agent: {@code researcher step 1} and {@code researcher: search ..} alike. */
  private static ModeRecorder.Input describe(CallTrace trace) {
    String label = trace.label();
    int colon = label.indexOf(':');
    int step = label.indexOf(" step ");
    int end = colon >= 0 ? colon : step >= 0 ? step : label.length();
    return new ModeRecorder.Input(label, null, label.substring(0, end));
  }

  /** The lead's steps, each tool call with its time and the HTTP calls made under it, then the totals. */
  private static void printRun(PrintWriter out, Style style, AgentResult result, RunReport.Mode mode) {
    List<FanoutReport> steps = result.toolReports();
    for (int s = 0; s < result.steps(); s++) {
      if (s < steps.size()) {
        FanoutReport report = steps.get(s);
        out.printf(Locale.ROOT, "  lead step %d: %d tool calls, %.2f s (their times summed: %.2f s)%n", s + 1,
            report.entries().size(), report.wall().toMillis() / 1000.0, report.sumOfCallTimes().toMillis() / 1000.0);
        for (FanoutReport.Entry entry : report.entries()) {
          long chats = entry.calls().stream().filter(c -> c.label().contains(" step ")).count();
          String note = chats > 0
              ? String.format(Locale.ROOT, "sub-agent: %d model calls, %d searches", chats, entry.calls().size() - chats)
              : "lookup";
          out.printf(Locale.ROOT, "    %-18s %6.2f s  %s%n", entry.label(), entry.duration().toMillis() / 1000.0,
              style.dim(entry.ok() ? note : entry.errorName()));
        }
      } else {
        out.printf(Locale.ROOT, "  lead step %d: the answer%n", s + 1);
      }
    }
    RunReport.Server server = mode.server();
    out.printf(Locale.ROOT, " >>> %s: %.2f s, %d HTTP calls%s%n%n", mode.name(), mode.wallMillis() / 1000.0,
        mode.calls().size(), server == null ? "" : ", server max in flight " + server.maxInFlight());
    out.flush();
  }
}
