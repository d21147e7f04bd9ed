package dev.fanout.langchain4j;

import dev.fanout.Fanout;
import dev.fanout.FanoutContext;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.Outcome;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.langchain4j.internal.Blocking;
import dev.fanout.langchain4j.internal.Exceptions;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.aggregator.ReciprocalRankFuser;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Query;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ContentRetriever} that queries several retrievers at once, bounded and under a deadline, and
 * returns what the ones that answered in time found, fused by rank. Plug it in where LangChain4j takes one
 * retriever: {@code DefaultRetrievalAugmentor.builder().contentRetriever(fanout)} or
 * {@code AiServices.builder(..).contentRetriever(fanout)}.
 *
 * <pre>{@code
 * ContentRetriever sources = FanoutContentRetriever.builder()
 *     .addRetriever("docs", docsRetriever)
 *     .addRetriever("tickets", ticketRetriever)
 *     .addRetriever("web", webRetriever)
 *     .options(FanoutOptions.builder().timeout(Duration.ofMillis(800)).maxConcurrency(2).build())
 *     .build();
 * }</pre>
 *
 * <p>Why not the augmentor's own parallelism: {@code DefaultRetrievalAugmentor}, routed to several retrievers,
 * runs each on its {@code executor} and joins them with {@code CompletableFuture.allOf(..).join()}: no bound,
 * no deadline, and one failing retriever fails the whole query. This one is a single retriever to the
 * augmentor, which then calls it directly on the caller's thread.
 *
 * <h2>Result order</h2>
 * The answering retrievers' lists fused with LangChain4j's {@link ReciprocalRankFuser} (the fusion its
 * {@code DefaultContentAggregator} applies), ties in the order the retrievers were added.
 *
 * <h2>What a failure or a late retriever does</h2>
 * It contributes nothing, and is logged at {@code WARN} with its name and the reason; the others' contents
 * are returned. When the deadline passes, every retriever still running is cancelled: its thread is
 * interrupted and every Fanout call it made through the context (retrievers run with the fan-out's
 * {@link FanoutContext} as the current one) is cancelled, so its HTTP call ends. Only when no retriever
 * answered at all does {@link #retrieve} throw: a {@link LangChain4jException} naming each one, with their
 * failures suppressed. Each query's per-retriever outcomes also go to {@link Builder#listener}.
 *
 * <h2>Deadlines are shared</h2>
 * Called inside a Fanout fan-out task (or on an executor wrapped by its context), the retrieval keeps the
 * earlier of its own timeout and the task's deadline, and is cancelled with the task. Interrupting the
 * thread blocked in {@link #retrieve} cancels every retriever and throws {@link FanoutCancelledException}
 * with the interrupt flag kept.
 *
 * <p>Retrievers are called on {@link Builder#executor}; by default this retriever owns a pool of daemon
 * threads (one per retriever in flight) that end a second after their last task, like the augmentor's own
 * default pool. Thread-safe.
 */
public final class FanoutContentRetriever implements ContentRetriever {
  /** How long a query may take unless the options say otherwise: 2 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  /**
   * A query's options unless {@linkplain Builder#options set}: every retriever at once, {@link #DEFAULT_TIMEOUT}
   * from the call to {@link #retrieve}.
   */
  public static final FanoutOptions DEFAULT_OPTIONS = FanoutOptions.builder().timeout(DEFAULT_TIMEOUT).build();

  private static final Logger log = LoggerFactory.getLogger(FanoutContentRetriever.class);
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final List<Named> retrievers;
  private final FanoutOptions options;
  private final Executor executor;
  private final Listener listener;

  private FanoutContentRetriever(Builder b) {
    this.retrievers = List.copyOf(b.retrievers);
    this.options = b.options.newBuilder().labeler((Named n) -> n.name()).build();
    this.executor = b.executor != null ? b.executor : defaultPool();
    this.listener = b.listener;
  }

  /** Returns a builder; at least one retriever is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Receives each query's outcome per retriever, in the order the retrievers were added, on the thread
   * that called {@link #retrieve}.
   */
  @FunctionalInterface
  public interface Listener {
    /** Called once per query, before {@link #retrieve} returns or throws. */
    void onRetrieved(Query query, List<SourceOutcome> outcomes);
  }

  /**
   * What one retriever did for one query: its name and its {@link Outcome} (the contents it found, or why
   * it has none: {@link Outcome.Kind#FAILED}, {@link Outcome.Kind#TIMED_OUT} for late, or
   * {@link Outcome.Kind#CANCELLED}).
   */
  public record SourceOutcome(String name, Outcome<List<Content>> outcome) {}

  private record Named(String name, ContentRetriever retriever) {}

  @Override
  public List<Content> retrieve(Query query) {
    FanoutFuture<List<Outcome<List<Content>>>> run = Fanout.settleAll(retrievers,
        (Named n, FanoutContext context) -> Blocking.supply(context.wrap(executor), () -> n.retriever().retrieve(query)),
        options);
    List<Outcome<List<Content>>> outcomes = run.await();

    List<SourceOutcome> report = new ArrayList<>(outcomes.size());
    Map<String, List<Content>> answered = new LinkedHashMap<>();
    for (int i = 0; i < outcomes.size(); i++) {
      Outcome<List<Content>> outcome = outcomes.get(i);
      String name = retrievers.get(i).name();
      report.add(new SourceOutcome(name, outcome));
      if (outcome.isSuccess()) {
        answered.put(name, outcome.value() == null ? List.of() : outcome.value());
      } else if (outcome.isTimedOut()) {
        log.warn("retriever {} skipped: no answer within the deadline ({})", name,
            options.timeout() != null ? options.timeout() : options.deadline());
      } else {
        Throwable error = Fanout.unwrap(outcome.error());
        log.warn("retriever {} skipped: {}: {}", name, error.getClass().getSimpleName(), error.getMessage());
      }
    }
    if (listener != null) {
      listener.onRetrieved(query, List.copyOf(report));
    }
    if (answered.isEmpty()) {
      LangChain4jException none = new LangChain4jException("no retriever answered: " + summary(report));
      for (SourceOutcome s : report) {
        none.addSuppressed(s.outcome().error());
      }
      throw none;
    }
    return answered.size() == 1
        ? List.copyOf(answered.values().iterator().next())
        : ReciprocalRankFuser.fuse(answered.values());
  }

  private static String summary(List<SourceOutcome> report) {
    StringBuilder b = new StringBuilder();
    for (SourceOutcome s : report) {
      if (b.length() > 0) {
        b.append(", ");
      }
      Throwable e = Fanout.unwrap(s.outcome().error());
      b.append(s.name()).append(' ').append(s.outcome().kind().name().toLowerCase(java.util.Locale.ROOT));
      if (s.outcome().kind() == Outcome.Kind.FAILED) {
        b.append(" (").append(e.getClass().getSimpleName()).append(')');
      }
    }
    return b.toString();
  }

  private static Executor defaultPool() {
    int pool = POOLS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "fanout-retriever-" + pool + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    for (Named n : retrievers) {
      names.add(n.name());
    }
    return "FanoutContentRetriever{retrievers=" + names + ", options=" + options + "}";
  }

  /** Builds a {@link FanoutContentRetriever}. */
  public static final class Builder {
    private final List<Named> retrievers = new ArrayList<>();
    private FanoutOptions options = DEFAULT_OPTIONS;
    private Executor executor;
    private Listener listener;

    private Builder() {}

    /** Adds a retriever named {@code name} in logs and outcomes; names must be unique. */
    public Builder addRetriever(String name, ContentRetriever retriever) {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(retriever, "retriever == null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name is blank: \"" + name + "\"");
      }
      for (Named n : retrievers) {
        if (n.name().equals(name)) {
          throw new IllegalArgumentException("duplicate retriever name: \"" + name + "\"");
        }
      }
      retrievers.add(new Named(name, retriever));
      return this;
    }

    /** Adds a retriever named {@code retriever-<position>}, counting from 0. */
    public Builder addRetriever(ContentRetriever retriever) {
      return addRetriever("retriever-" + retrievers.size(), retriever);
    }

    /** Adds every retriever of {@code retrievers}, each named by its position. */
    public Builder retrievers(List<? extends ContentRetriever> retrievers) {
      Objects.requireNonNull(retrievers, "retrievers == null");
      for (int i = 0; i < retrievers.size(); i++) {
        addRetriever(Objects.requireNonNull(retrievers.get(i), "retrievers[" + i + "] == null"));
      }
      return this;
    }

    /**
     * How a query fans out to the retrievers: its {@linkplain FanoutOptions.Builder#timeout timeout}, counted from
     * the call to {@link #retrieve} (or its {@linkplain FanoutOptions.Builder#deadline deadline}), after which the
     * retrievers still running are cancelled and skipped; its
     * {@linkplain FanoutOptions.Builder#maxConcurrency maxConcurrency}, how many retrievers run at once (the rest
     * wait their turn in the order added); its clock, the deadline's (tests pass a
     * {@code dev.fanout.testing.FakeClock}). Options without a timeout or deadline wait for every retriever,
     * however long. Their labeler is not used: outcomes are named by the retrievers' names. Defaults to
     * {@link #DEFAULT_OPTIONS} (all at once, 2 s).
     */
    public Builder options(FanoutOptions options) {
      this.options = Objects.requireNonNull(options, "options == null");
      return this;
    }

    /**
     * Where the (blocking) retrievers run; it must run at least the options' {@code maxConcurrency} tasks at once, or the
     * deadline cuts the queued ones. This retriever does not shut it down. Defaults to a pool this retriever
     * owns: daemon threads, one per retriever in flight, ended after 1 s idle.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /** Receives each query's outcome per retriever. Defaults to none (the skipped ones are still logged). */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * Returns the retriever.
     *
     * @throws IllegalStateException if no retriever was added
     */
    public FanoutContentRetriever build() {
      if (retrievers.isEmpty()) {
        throw new IllegalStateException("no retrievers: add at least one with addRetriever(..)");
      }
      return new FanoutContentRetriever(this);
    }
  }
}
