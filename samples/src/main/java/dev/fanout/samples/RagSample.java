package dev.fanout.samples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutClient;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.samples.cli.Ranges;
import dev.fanout.samples.cli.CommonOptions;
import dev.fanout.samples.cli.Session;
import dev.fanout.samples.cli.Style;
import dev.fanout.samples.report.ModeRecorder;
import dev.fanout.samples.report.RunReport;
import dev.fanout.users.User;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Retrieval-augmented generation, the shape most LLM requests take: fetch what the answer needs (the user's
 * profile, passages from K retrievers), then ask the model once with all of it.
 *
 * <p>The fetches do not depend on each other, so they fan out: the context is ready after the slowest fetch
 * instead of after the sum of them. The chat completion needs everything, so it comes after. Both ways run
 * here, one after the other, and their timings are printed side by side.
 */
@Command(
    name = "rag",
    mixinStandardHelpOptions = true,
    description = "One RAG question: fetch the profile and K retrievers' passages (sequentially, then concurrently), "
        + "then one chat completion with the gathered context; prints both timings side by side.")
final class RagSample implements Callable<Integer> {
  static final String DEFAULT_QUESTION = "How do I rotate my API key without downtime?";
  static final long DEFAULT_USER_ID = 42;
  static final int DEFAULT_RETRIEVERS = 4;
  static final int DEFAULT_TOP = 3;
  /** The indexes the retrievers search, one retriever each. */
  static final List<String> INDEXES = List.of("docs", "faq", "tickets", "forum", "changelog", "runbooks", "code", "blog");

  @Mixin
  CommonOptions common;

  @Spec
  CommandSpec spec;

  @Option(names = "--question", paramLabel = "TEXT", description = "The question. Defaults to \"" + DEFAULT_QUESTION + "\".")
  String question = DEFAULT_QUESTION;

  @Option(names = "--user-id", paramLabel = "ID", description = "Whose question it is. Defaults to " + DEFAULT_USER_ID + ".")
  long userId = DEFAULT_USER_ID;

  @Option(names = {"-k", "--retrievers"}, paramLabel = "K",
      description = "Retrievers to query, 1 to 8 (docs, faq, tickets, ...). Defaults to " + DEFAULT_RETRIEVERS + ".")
  int retrievers = DEFAULT_RETRIEVERS;

  @Option(names = "--top", paramLabel = "N", description = "Passages per retriever, 1 to 100. Defaults to " + DEFAULT_TOP + ".")
  int top = DEFAULT_TOP;

  /** One thing the answer needs, fetched by one call. */
  private record Fetch(String name, Supplier<CompletableFuture<?>> call) {
    CompletableFuture<Object> start() {
      return call.get().thenApply(Object.class::cast);
    }
  }

  private FanoutClient client;

  /** Instantiated by picocli, once per run. */
  private RagSample() {}

  @Override
  public Integer call() {
    Ranges.check(spec, "--retrievers", retrievers, 1, INDEXES.size());
    Ranges.check(spec, "--top", top, 1, 100);
    Ranges.atLeast(spec, "--user-id", userId, 1);
    PrintWriter out = spec.commandLine().getOut();
    Style style = Style.detect();
    try (Session session = Session.open(common)) {
      client = session.client();
      out.println(style.bold("Fanout rag") + " · fetch the context, then ask the model once");
      session.printTarget(out);
      out.println("Question: " + question);
      out.println();

      List<RunReport.Mode> modes = new ArrayList<>();
      String answer = null;
      for (boolean concurrent : new boolean[] {false, true}) {
        session.resetStats();
        ModeRecorder mode = ModeRecorder.start(concurrent ? "concurrent" : "sequential");
        out.printf("%s: gathering %d fetches %s...%n", mode.name(), 1 + retrievers,
            concurrent ? "at once" : "one after another");
        out.flush();
        try {
          answer = answer(mode, concurrent);
        } catch (RuntimeException e) {
          out.println(style.red("✕ " + mode.name() + " failed: " + e));
        }
        mode.finish();
        modes.add(mode.toMode().withServer(session.serverStats()));
      }
      out.println();
      printSideBySide(out, style, modes);
      if (answer != null) {
        out.println();
        out.println(style.bold("Answer") + style.dim(" (" + session.model() + ")") + ": " + answer);
      }
      out.println();
      session.finish("rag", modes, out);
      out.flush();
      return modes.stream().allMatch(m -> m.failed() == 0) ? 0 : 1;
    }
  }

  /** Gathers the context (one fetch at a time, or all at once), then asks the model. Returns the answer. */
  private String answer(ModeRecorder mode, boolean concurrent) {
    List<Fetch> fetches = new ArrayList<>();
    fetches.add(new Fetch("profile", () -> client.users().getAsync(userId)));
    for (String index : INDEXES.subList(0, retrievers)) {
      String path = "search?k=" + top + "&q=" + URLEncoder.encode(index + ": " + question, StandardCharsets.UTF_8);
      fetches.add(new Fetch("search " + index, () -> client.json().getAsync(path, JsonNode.class)));
    }

    // The fetches are independent: fan them out. Fanout.all keeps input order and fails fast.
    FanoutFuture<List<Object>> gathered = concurrent
        ? Fanout.all(fetches, Fetch::start)
        : Fanout.sequential(fetches, Fetch::start);
    List<Object> context;
    try {
      context = gathered.await();
    } finally {
      mode.add(gathered.report(), entry -> lane(fetches.get(entry.index()).name()));
    }

    // The completion needs all of it. (A fan-out of one, so its report times it like the fetches.)
    ChatRequest request = prompt((User) context.get(0), context.subList(1, context.size()));
    FanoutFuture<List<ChatCompletion>> completion = Fanout.sequential(List.of(request), client.chat()::createAsync);
    try {
      return completion.await().get(0).content();
    } finally {
      mode.add(completion.report(), entry -> lane("chat completion"));
    }
  }

  private ChatRequest prompt(User user, List<Object> searches) {
    StringBuilder passages = new StringBuilder();
    for (Object search : searches) {
      for (JsonNode doc : ((JsonNode) search).path("documents")) {
        passages.append("- ").append(doc.path("text").asText()).append('\n');
      }
    }
    return ChatRequest.builder()
        .model(common.model())
        .addSystemMessage("Answer the user's question from these passages only. Be brief.\n" + passages)
        .addUserMessage(question + " (asked by " + user.name() + ")")
        .maxTokens(200)
        .build();
  }

  private static ModeRecorder.Input lane(String name) {
    return new ModeRecorder.Input(name, null, name);
  }

  /** The two modes' timings in two columns: each call's own time, then when the context and the answer were ready. */
  private void printSideBySide(PrintWriter out, Style style, List<RunReport.Mode> modes) {
    RunReport.Mode sequential = modes.get(0);
    RunReport.Mode concurrent = modes.get(1);
    out.printf(Locale.ROOT, "  %-22s %s   %s%n", "", style.bold(String.format("%10s", "sequential")),
        style.bold(String.format("%10s", "concurrent")));
    for (RunReport.Call call : sequential.calls()) {
      RunReport.Call other = concurrent.calls().stream()
          .filter(c -> c.label().equals(call.label())).findFirst().orElse(null);
      out.printf(Locale.ROOT, "  %-22s %10s   %10s%n", call.label(), took(call),
          other == null ? "-" : took(other));
    }
    out.printf(Locale.ROOT, "  %-22s %10s   %10s%n", "context ready at", readyAt(sequential), readyAt(concurrent));
    String faster = concurrent.wallMillis() > 0
        ? String.format(Locale.ROOT, "%.1f× faster", (double) sequential.wallMillis() / concurrent.wallMillis())
        : "";
    out.printf(Locale.ROOT, "  %s %10s   %10s   %s%n", style.bold(String.format("%-22s", "answer ready at")),
        secs(sequential.wallMillis()), secs(concurrent.wallMillis()), style.green(faster));
  }

  private static String took(RunReport.Call call) {
    return call.started() ? secs(call.endMillis() - call.startMillis()) : "-";
  }

  private static String readyAt(RunReport.Mode mode) {
    return secs(mode.calls().stream()
        .filter(c -> !c.lane().equals("chat completion"))
        .mapToLong(RunReport.Call::endMillis).max().orElse(0));
  }

  private static String secs(long millis) {
    return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
  }
}
