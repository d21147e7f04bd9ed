package dev.fanout.samples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.CallOptions;
import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutContext;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutReport;
import dev.fanout.FanoutScope;
import dev.fanout.Outcome;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatRequest;
import dev.fanout.common.cli.Ranges;
import dev.fanout.embeddings.Embedding;
import dev.fanout.embeddings.EmbeddingRequest;
import dev.fanout.embeddings.EmbeddingResponse;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Jitter;
import dev.fanout.mock.Latency;
import dev.fanout.mock.Routes;
import dev.fanout.samples.cli.CommonOptions;
import dev.fanout.samples.cli.DurationConverter;
import dev.fanout.samples.cli.Session;
import dev.fanout.samples.cli.Style;
import dev.fanout.samples.report.ModeRecorder;
import dev.fanout.samples.report.RunReport;
import dev.fanout.users.User;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Retrieval-augmented generation on a {@link FanoutScope}: calls of four types under one deadline, no casts.
 *
 * <ol>
 *   <li>fetch the user's profile, embed the question and query K retrievers, all at once, as forks of one
 *       {@link FanoutScope.Policy#FAIL_FAST} scope; the retrievers are a scope of their own inside it, with the
 *       {@link FanoutScope.Policy#UNTIL_DEADLINE} policy, and each retriever embeds its passages as soon as its
 *       search returns: what was searched and embedded in time is used, the late ones are cancelled and named;
 *   <li>rank the passages that arrived by cosine similarity to the question (on this machine: every vector is
 *       already there), then ask the model once, with the best passages.
 * </ol>
 *
 * <p>On the embedded mock the retrievers' latency varies (log-normal around {@code --latency}, as real
 * services' does), so with the default deadline some are late.
 */
@Command(
    name = "rag",
    mixinStandardHelpOptions = true,
    description = "One RAG question: fetch the profile, embed the question and query K retrievers at once under "
        + "a deadline, each retriever embedding its passages as soon as its search returns (late retrievers are "
        + "left out and named), rank the passages by embedding similarity, then one chat completion.")
final class RagSample implements Callable<Integer> {
  static final String DEFAULT_QUESTION = "How do I rotate my API key without downtime?";
  static final long DEFAULT_USER_ID = 42;
  static final int DEFAULT_RETRIEVERS = 4;
  static final int DEFAULT_TOP = 3;
  static final int DEFAULT_KEEP = 5;
  static final Duration DEFAULT_DEADLINE = Duration.ofMillis(1500);
  static final double DEFAULT_JITTER = 0.5;
  static final String DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";
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
      description = "Retrievers to query at once, 1 to 8 (docs, faq, tickets, ...). Defaults to " + DEFAULT_RETRIEVERS + ".")
  int retrievers = DEFAULT_RETRIEVERS;

  @Option(names = "--top", paramLabel = "N", description = "Passages per retriever, 1 to 100. Defaults to " + DEFAULT_TOP + ".")
  int top = DEFAULT_TOP;

  @Option(names = "--keep", paramLabel = "N",
      description = "Best-ranked passages given to the model, 1 to 100. Defaults to " + DEFAULT_KEEP + ".")
  int keep = DEFAULT_KEEP;

  @Option(names = "--deadline", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "How long the K retrievals (each a search, then its passages' embedding) may take together; "
          + "the late ones are cancelled and left out. "
          + "Defaults to 1.5s.")
  Duration deadline = DEFAULT_DEADLINE;

  @Option(names = "--embedding-model", paramLabel = "MODEL",
      description = "Embedding model. Defaults to " + DEFAULT_EMBEDDING_MODEL + ".")
  String embeddingModel = DEFAULT_EMBEDDING_MODEL;

  @Option(names = "--jitter", paramLabel = "SIGMA",
      description = "Spread of the embedded server's retriever latency (log-normal sigma; 0 for none). "
          + "Ignored with --base-url. Defaults to " + DEFAULT_JITTER + ".")
  double jitter = DEFAULT_JITTER;

  @Option(names = "--warm-up",
      description = "Ask the question once, unmeasured, before the measured run: the JVM and the connections are "
          + "then warm, as in a running service. Defaults to false.")
  boolean warmUp;

  /** A passage a retriever returned, its embedding, and its similarity to the question once ranked. */
  private record Passage(String index, String text, Embedding vector, double similarity) {}

  private FanoutClient client;

  /** Instantiated by picocli, once per run. */
  private RagSample() {}

  @Override
  public Integer call() {
    Ranges.check(spec, "--retrievers", retrievers, 1, INDEXES.size());
    Ranges.check(spec, "--top", top, 1, 100);
    Ranges.check(spec, "--keep", keep, 1, 100);
    Ranges.atLeast(spec, "--user-id", userId, 1);
    Ranges.positive(spec, "--deadline", deadline);
    Ranges.check(spec, "--jitter", jitter, 0, 3);
    PrintWriter out = spec.commandLine().getOut();
    Style style = Style.detect();
    Latency search = Latency.builder()
        .delay(common.latency())
        .jitter(jitter == 0 ? Jitter.none() : Jitter.logNormal(jitter))
        .build();
    Latency latency = Latency.builder().delay(common.latency()).route(Routes.SEARCH, search).build();
    try (Session session = Session.open(common, latency, Faults.none(), b -> b)) {
      client = session.client();
      out.println(style.bold("Fanout rag") + " · embed, retrieve from " + retrievers + " sources under a "
          + DurationConverter.format(deadline) + " deadline, rank, answer");
      session.printTarget(out);
      if (session.embedded() && jitter > 0) {
        out.println(style.dim("Retriever latency varies (log-normal, sigma " + jitter + "), as real services' does."));
      }
      out.println("Question: " + question);
      out.println();

      if (warmUp) {
        try {
          answer(new PrintWriter(Writer.nullWriter()), style, ModeRecorder.start("warm-up"));
          out.println(style.dim("Warm-up: asked once, unmeasured."));
        } catch (RuntimeException e) {
          out.println(style.dim("Warm-up failed (" + e + "); measuring anyway."));
        }
      }
      session.resetStats();
      ModeRecorder mode = ModeRecorder.start("rag");
      boolean ok = true;
      try {
        String answer = answer(out, style, mode);
        out.println();
        out.println(style.bold("Answer") + style.dim(" (" + session.model() + ")") + ": " + answer);
      } catch (RuntimeException e) {
        ok = false;
        out.println(style.red("✕ rag failed: " + e));
      }
      mode.finish();
      RunReport.Mode result = mode.toMode().withServer(session.serverStats());
      out.printf(Locale.ROOT, "%n >>> answer ready at %.2f s, %d calls%s%n%n", result.wallMillis() / 1000.0,
          result.calls().size(), result.server() == null ? ""
              : ", server max in flight " + result.server().maxInFlight());
      session.finish("rag", List.of(result), out);
      out.flush();
      return ok ? 0 : 1;
    }
  }

  /** The steps; prints each as it ends and returns the answer. */
  private String answer(PrintWriter out, Style style, ModeRecorder mode) {
    // 1. The profile, the question's embedding and the K retrievals need nothing from each other: one
    //    scope starts them together. The retrievals are a scope of their own, under the deadline.
    EmbeddingRequest embedQuestion = EmbeddingRequest.builder().model(embeddingModel).addInput(question).build();
    List<String> indexes = INDEXES.subList(0, retrievers);
    FanoutScope.Handle<User> profile;
    FanoutScope.Handle<EmbeddingResponse> embedding;
    FanoutScope.Handle<Retrieved> retrieval;
    FanoutReport gathered;
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, FanoutOptions.defaults())) {
      profile = scope.fork("profile", ctx -> client.users().withContext(ctx).getAsync(userId));
      embedding = scope.fork("embed question", ctx -> client.embeddings().withContext(ctx).createAsync(embedQuestion));
      retrieval = scope.fork("retrieve", ctx -> retrieve(ctx, indexes));
      try {
        scope.join(); // the answer needs all three: a failure fails the question
      } finally {
        gathered = scope.report();
        record(mode, gathered, retrieval);
      }
    }
    User user = profile.get();
    Embedding questionVector = embedding.get().embedding(0);
    Retrieved retrieved = retrieval.get();
    out.printf(Locale.ROOT, "1. fetched %s's profile, embedded the question (%d dimensions) and queried %d retrievers"
            + " at once: %.2f s (their times summed: %.2f s)%n",
        user.name(), questionVector.dimensions(), indexes.size(), gathered.wall().toMillis() / 1000.0,
        retrieved.report().sumOfCallTimes().toMillis() / 1000.0);
    out.println("   " + retrieved.inTime().size() + " of " + indexes.size() + " retrievers in time: "
        + (retrieved.inTime().isEmpty() ? "none" : String.join(", ", retrieved.inTime())));
    if (!retrieved.late().isEmpty()) {
      out.println(style.yellow("   late (cancelled at the deadline, left out): " + String.join(", ", retrieved.late())));
    }
    if (!retrieved.failed().isEmpty()) {
      out.println(style.red("   failed: " + String.join(", ", retrieved.failed())));
    }
    List<Passage> passages = retrieved.passages();

    // 2. Every passage that arrived came with its vector: rank them here, against the question's, then ask
    //    the model once with the best passages.
    long rankStart = System.nanoTime();
    List<Passage> best = rank(questionVector, passages);
    long rankNanos = System.nanoTime() - rankStart;
    if (!passages.isEmpty()) {
      out.printf(Locale.ROOT, "2. ranked %d passages by similarity to the question, kept %d: %.1f ms, no call%n",
          passages.size(), best.size(), rankNanos / 1e6);
      for (Passage p : best) {
        out.printf(Locale.ROOT, "   %.3f  %-9s %s%n", p.similarity(), p.index(), p.text());
      }
    } else {
      out.println("2. no passage arrived in time: the model answers without any");
    }
    FanoutScope.Handle<ChatCompletion> answer;
    FanoutReport answered;
    try (FanoutScope scope = Fanout.scope(FanoutScope.Policy.FAIL_FAST, FanoutOptions.defaults())) {
      answer = scope.fork("chat completion", ctx -> client.chat().withContext(ctx).createAsync(prompt(user, best)));
      try {
        scope.join();
      } finally {
        answered = scope.report();
        mode.addTraces(answered.entries().get(0).calls(),
            trace -> new ModeRecorder.Input("chat completion", null, "chat completion"));
      }
    }
    ChatCompletion completion = answer.get();
    List<CallTrace> calls = answered.entries().get(0).calls();
    out.printf(Locale.ROOT, "3. asked the model: %.2f s%n", seconds(calls.get(calls.size() - 1)));
    return completion.content();
  }

  /** What the retrievers returned by the deadline, and their scope's report. */
  private record Retrieved(
      List<Passage> passages, List<String> inTime, List<String> late, List<String> failed, FanoutReport report) {}

  /**
   * Queries the K retrievers at once in a scope of their own, inside the fork's context; each retriever's fork
   * embeds its passages as soon as its search returns (one batch call per retriever, through the fork's
   * context). At the deadline the retrievers not done with both calls are cancelled and named, and what
   * arrived is used.
   */
  private CompletableFuture<Retrieved> retrieve(FanoutContext ctx, List<String> indexes) {
    FanoutScope scope = Fanout.scope(FanoutScope.Policy.UNTIL_DEADLINE,
        FanoutOptions.builder().timeout(deadline).context(ctx).build());
    List<FanoutScope.Handle<List<Passage>>> searches = new ArrayList<>();
    for (String index : indexes) {
      searches.add(scope.fork("search " + index, c -> client.json()
          .withOptions(CallOptions.builder().context(c).label("search " + index).build())
          .getAsync("search", Map.of("k", top, "q", index + ": " + question), JsonNode.class)
          .thenCompose(found -> embed(c, index, found))));
    }
    return scope.joinAsync().whenComplete((done, error) -> scope.close()).thenApply(done -> {
      List<Passage> passages = new ArrayList<>();
      List<String> inTime = new ArrayList<>();
      List<String> late = new ArrayList<>();
      List<String> failed = new ArrayList<>();
      List<String> cutOff = scope.late();
      for (int i = 0; i < indexes.size(); i++) {
        Outcome<List<Passage>> outcome = searches.get(i).outcome();
        if (outcome.isSuccess()) {
          inTime.add(indexes.get(i));
          passages.addAll(outcome.value());
        } else if (cutOff.contains(searches.get(i).label())) {
          late.add(indexes.get(i));
        } else {
          failed.add(indexes.get(i) + " (" + outcome.error().getClass().getSimpleName() + ")");
        }
      }
      return new Retrieved(passages, inTime, late, failed, scope.report());
    });
  }

  /**
   * Embeds the passages one retriever {@code found}, in one batch call labelled {@code embed <index>} through
   * the retriever's fork context, so the retrieval deadline and cancel bind it as they bind the search.
   */
  private CompletableFuture<List<Passage>> embed(FanoutContext ctx, String index, JsonNode found) {
    List<String> texts = new ArrayList<>();
    for (JsonNode doc : found.path("documents")) {
      texts.add(doc.path("text").asText());
    }
    if (texts.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    EmbeddingRequest request = EmbeddingRequest.builder().model(embeddingModel).input(texts).build();
    return client.embeddings()
        .withOptions(CallOptions.builder().context(ctx).label("embed " + index).build())
        .createAsync(request)
        .thenApply(vectors -> {
          List<Passage> passages = new ArrayList<>();
          for (int i = 0; i < texts.size(); i++) {
            passages.add(new Passage(index, texts.get(i), vectors.embedding(i), 0));
          }
          return passages;
        });
  }

  /**
   * Adds the first step's calls to the run's report: the profile and the question's embedding from their
   * forks; each retriever's search and passage embedding, one lane per call, from the retrieval scope's
   * report (a call the deadline cut off is timed out; a retriever late in its search made no embedding call).
   */
  private static void record(ModeRecorder mode, FanoutReport gathered, FanoutScope.Handle<Retrieved> retrieval) {
    for (FanoutReport.Entry entry : gathered.entries()) {
      if (!entry.label().equals("retrieve")) {
        mode.addTraces(entry.calls(), trace -> new ModeRecorder.Input(entry.label(), null, entry.label()));
      } else if (retrieval.outcome().isSuccess()) {
        for (FanoutReport.Entry retriever : retrieval.get().report().entries()) {
          mode.addTraces(retriever, trace -> new ModeRecorder.Input(trace.label(), null, trace.label()));
        }
      } else {
        mode.addTraces(entry.calls(), trace -> new ModeRecorder.Input(trace.label(), null, trace.label()));
      }
    }
  }

  /** Ranks {@code passages} by cosine similarity to the question, best first, and keeps {@link #keep}. */
  private List<Passage> rank(Embedding questionVector, List<Passage> passages) {
    List<Passage> ranked = new ArrayList<>();
    for (Passage p : passages) {
      ranked.add(new Passage(p.index(), p.text(), p.vector(), questionVector.cosine(p.vector())));
    }
    ranked.sort(Comparator.comparingDouble(Passage::similarity).reversed());
    return List.copyOf(ranked.subList(0, Math.min(keep, ranked.size())));
  }

  private static double seconds(CallTrace call) {
    return (call.endNanos() - call.startNanos().orElse(call.endNanos())) / 1e9;
  }

  private ChatRequest prompt(User user, List<Passage> passages) {
    StringBuilder context = new StringBuilder();
    for (Passage p : passages) {
      context.append("- [").append(p.index()).append("] ").append(p.text()).append('\n');
    }
    return ChatRequest.builder()
        .model(common.model())
        .addSystemMessage("Answer the user's question from these passages only; say which source each fact "
            + "comes from. Be brief.\n" + (passages.isEmpty() ? "(no passages)\n" : context))
        .addUserMessage(question + " (asked by " + user.name() + ")")
        .maxTokens(200)
        .build();
  }
}
