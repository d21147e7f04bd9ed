package dev.fanout.samples.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.FanoutOptions;
import dev.fanout.Outcome;
import dev.fanout.common.Durations;
import dev.fanout.langchain4j.FanoutChatModel;
import dev.fanout.langchain4j.FanoutContentRetriever;
import dev.fanout.langchain4j.FanoutEmbeddingModel;
import dev.fanout.langchain4j.FanoutExecutors;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Retrieval-augmented generation with LangChain4j on Fanout: documents embedded through
 * {@link FanoutEmbeddingModel}, three sources queried at once by a {@link FanoutContentRetriever} under a
 * deadline (one of them too slow for it, so the answer is built from the two that made it), and an
 * {@code AiServices} assistant on {@link FanoutChatModel} that answers with what was retrieved.
 *
 * <p>Runs on an embedded mock by default; {@code --base-url https://api.openai.com/v1} (with
 * {@code OPENAI_API_KEY} or {@code FANOUT_API_KEY} set) runs it against a real API.
 *
 * <pre>
 * java -cp samples/target/fanout-samples.jar dev.fanout.samples.langchain4j.RagWithLangChain4j
 *     [--base-url URL] [--model gpt-4o-mini] [--embedding-model text-embedding-3-small]
 *     [--timeout 1s] [--slow 3s] [--question TEXT]
 * </pre>
 */
public final class RagWithLangChain4j {
  static final String DEFAULT_QUESTION = "How do I rotate my API key without downtime?";
  static final String DEFAULT_MODEL = "gpt-4o-mini";
  static final String DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  static final Duration DEFAULT_SLOW = Duration.ofSeconds(3);

  static final List<String> HANDBOOK = List.of(
      "To rotate an API key without downtime, create a second key, deploy it, then revoke the old key.",
      "Every API key can be scoped to one project and has its own rate limits.",
      "Deadlines bound how long a request may take, retries included.");
  static final List<String> FAQ = List.of(
      "Can I have two API keys at once? Yes: both stay valid until you revoke one, which allows rotation.",
      "Why do I get HTTP 429? You sent more requests or tokens per minute than your limit.",
      "How do I see my usage? Every response carries the token usage of its request.");

  interface Assistant {
    String answer(String question);
  }

  private RagWithLangChain4j() {}

  public static void main(String[] args) throws Exception {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the sample; returns the exit code (0, or 2 for bad flags). */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    String baseUrl = null;
    String model = DEFAULT_MODEL;
    String embeddingModel = DEFAULT_EMBEDDING_MODEL;
    String question = DEFAULT_QUESTION;
    Duration timeout = DEFAULT_TIMEOUT;
    Duration slow = DEFAULT_SLOW;
    try {
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (flag.equals("--help") || flag.equals("-h")) {
          out.println("usage: RagWithLangChain4j [--base-url URL] [--model NAME] [--embedding-model NAME]"
              + " [--timeout 1s] [--slow 3s] [--question TEXT]");
          return 0;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        String value = args[++i];
        switch (flag) {
          case "--base-url" -> baseUrl = value;
          case "--model" -> model = value;
          case "--embedding-model" -> embeddingModel = value;
          case "--question" -> question = value;
          case "--timeout" -> timeout = Durations.parse(value);
          case "--slow" -> slow = Durations.parse(value);
          default -> throw new IllegalArgumentException("unknown flag: " + flag);
        }
      }
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("--timeout <= 0: " + value(timeout));
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }

    MockBackend mock = baseUrl == null ? MockBackend.start(Latency.fixed(Duration.ofMillis(80))) : null;
    ExecutorService toolsAndRetrievers = Executors.newCachedThreadPool();
    try (FanoutClient client = FanoutClient.builder()
        .baseUrl(mock != null ? mock.url() : baseUrl)
        .apiKey(mock != null ? null : apiKeyFromEnvironment())
        .build()) {
      out.println("backend: " + (mock != null ? "embedded mock " + mock.url() : baseUrl));

      EmbeddingModel embeddings = FanoutEmbeddingModel.builder().client(client).modelName(embeddingModel).build();
      ContentRetriever handbook = index(embeddings, HANDBOOK);
      ContentRetriever faq = index(embeddings, FAQ);
      Duration slowFor = slow;
      ContentRetriever archive = query -> {
        sleep(slowFor); // a remote source that answers after the deadline
        return List.of(Content.from("The archive says: keys never expire."));
      };

      List<String> report = new ArrayList<>();
      FanoutContentRetriever sources = FanoutContentRetriever.builder()
          .addRetriever("handbook", handbook)
          .addRetriever("faq", faq)
          .addRetriever("archive", archive)
          .options(FanoutOptions.builder().timeout(timeout).build())
          .executor(toolsAndRetrievers)
          .listener((query, outcomes) -> outcomes.forEach(o -> report.add(describe(o))))
          .build();

      Assistant assistant = AiServices.builder(Assistant.class)
          .chatModel(FanoutChatModel.builder().client(client).modelName(model).temperature(0.0).build())
          .retrievalAugmentor(DefaultRetrievalAugmentor.builder()
              .contentRetriever(sources)
              .executor(FanoutExecutors.propagating(toolsAndRetrievers))
              .build())
          .build();

      long start = System.nanoTime();
      String answer = assistant.answer(question);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      out.println("question: " + question);
      out.println("sources (deadline " + value(timeout) + "):");
      report.forEach(line -> out.println("  " + line));
      out.println("answer: " + answer);
      out.println("took: " + value(took));
    } finally {
      toolsAndRetrievers.shutdownNow();
      toolsAndRetrievers.awaitTermination(5, TimeUnit.SECONDS);
      if (mock != null) {
        mock.close();
      }
    }
    return 0;
  }

  private static ContentRetriever index(EmbeddingModel embeddings, List<String> texts) {
    InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
    List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
    store.addAll(embeddings.embedAll(segments).content(), segments);
    return EmbeddingStoreContentRetriever.builder()
        .embeddingStore(store)
        .embeddingModel(embeddings)
        .maxResults(2)
        .build();
  }

  private static String describe(FanoutContentRetriever.SourceOutcome o) {
    String kind = o.outcome().kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    return o.name() + ": " + kind
        + (o.outcome().kind() == Outcome.Kind.SUCCEEDED ? " (" + o.outcome().value().size() + " passages)" : "");
  }

  private static String apiKeyFromEnvironment() {
    String key = System.getenv("FANOUT_API_KEY");
    return key != null && !key.isBlank() ? key : System.getenv("OPENAI_API_KEY");
  }

  private static String value(Duration d) {
    return Durations.format(d);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // cancelled at the deadline
      throw new dev.fanout.errors.FanoutCancelledException("archive lookup interrupted", e);
    }
  }
}
