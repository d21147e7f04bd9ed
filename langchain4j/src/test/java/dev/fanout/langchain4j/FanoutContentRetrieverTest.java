package dev.fanout.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutOptions;
import dev.fanout.Outcome;
import dev.fanout.testing.FakeClock;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.rag.AugmentationRequest;
import dev.langchain4j.rag.AugmentationResult;
import dev.langchain4j.rag.DefaultRetrievalAugmentor;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.retriever.ContentRetriever;
import dev.langchain4j.rag.query.Metadata;
import dev.langchain4j.rag.query.Query;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** FanoutContentRetriever on a fake clock: partial results at the deadline, failures skipped, the bound kept. */
@Timeout(20)
class FanoutContentRetrieverTest {
  private final FakeClock clock = FakeClock.create();
  private final ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newCachedThreadPool();

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private static ContentRetriever answering(String... texts) {
    return query -> java.util.Arrays.stream(texts).map(Content::from).toList();
  }

  /** Blocks until interrupted; records that it started and that it was interrupted. */
  static final class Hanging implements ContentRetriever {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);

    @Override
    public List<Content> retrieve(Query query) {
      started.countDown();
      try {
        new CountDownLatch(1).await();
        throw new AssertionError("unreachable");
      } catch (InterruptedException e) {
        interrupted.countDown();
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  @Test
  void theDeadlineReturnsWhatArrivedAndCancelsTheSlowOne() throws Exception {
    Hanging slow = new Hanging();
    AtomicReference<List<FanoutContentRetriever.SourceOutcome>> seen = new AtomicReference<>();
    FanoutContentRetriever retriever = FanoutContentRetriever.builder()
        .addRetriever("docs", answering("d1", "d2"))
        .addRetriever("slow", slow)
        .addRetriever("faq", answering("f1"))
        .options(FanoutOptions.builder().timeout(Duration.ofSeconds(2)).clock(clock).build())
        .executor(pool)
        .listener((query, outcomes) -> seen.set(outcomes))
        .build();

    CompletableFuture<List<Content>> result =
        CompletableFuture.supplyAsync(() -> retriever.retrieve(Query.from("rotate keys")));
    assertThat(slow.started.await(5, TimeUnit.SECONDS)).isTrue();
    awaitCompletedTasks(2); // docs and faq have answered and their outcomes are recorded
    assertThat(result).isNotDone();
    clock.advance(Duration.ofSeconds(2));

    List<Content> contents = result.get(5, TimeUnit.SECONDS);
    assertThat(contents).extracting(c -> c.textSegment().text()).containsExactly("d1", "f1", "d2");
    assertThat(slow.interrupted.await(5, TimeUnit.SECONDS)).as("the late retriever was interrupted").isTrue();
    assertThat(seen.get()).extracting(FanoutContentRetriever.SourceOutcome::name).containsExactly("docs", "slow", "faq");
    assertThat(seen.get()).extracting(o -> o.outcome().kind())
        .containsExactly(Outcome.Kind.SUCCEEDED, Outcome.Kind.TIMED_OUT, Outcome.Kind.SUCCEEDED);
    assertThat(clock.scheduledDelays()).contains(Duration.ofSeconds(2));
  }

  @Test
  void aFailingRetrieverIsSkippedAndTheOthersAnswer() {
    AtomicReference<List<FanoutContentRetriever.SourceOutcome>> seen = new AtomicReference<>();
    FanoutContentRetriever retriever = FanoutContentRetriever.builder()
        .addRetriever("broken", query -> {
          throw new IllegalStateException("index offline");
        })
        .addRetriever("docs", answering("d1"))
        .executor(pool)
        .options(FanoutContentRetriever.DEFAULT_OPTIONS.newBuilder().clock(clock).build())
        .listener((query, outcomes) -> seen.set(outcomes))
        .build();

    assertThat(retriever.retrieve(Query.from("q"))).extracting(c -> c.textSegment().text()).containsExactly("d1");
    assertThat(seen.get().get(0).outcome().kind()).isEqualTo(Outcome.Kind.FAILED);
    assertThat(seen.get().get(0).outcome().error()).hasMessageContaining("index offline");
  }

  @Test
  void whenNoRetrieverAnswersTheQueryFailsNamingEach() throws Exception {
    Hanging slow = new Hanging();
    FanoutContentRetriever retriever = FanoutContentRetriever.builder()
        .addRetriever("broken", query -> {
          throw new IllegalStateException("index offline");
        })
        .addRetriever("slow", slow)
        .options(FanoutOptions.builder().timeout(Duration.ofMillis(500)).clock(clock).build())
        .executor(pool)
        .build();

    CompletableFuture<List<Content>> result = CompletableFuture.supplyAsync(() -> retriever.retrieve(Query.from("q")));
    awaitQuietly(slow.started);
    awaitCompletedTasks(1); // broken has failed and its outcome is recorded
    clock.advance(Duration.ofMillis(500));

    assertThat(result).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
        .havingCause().isInstanceOf(LangChain4jException.class)
        .withMessage("no retriever answered: broken failed (IllegalStateException), slow timed_out");
  }

  @Test
  void maxConcurrencyBoundsTheRetrieversInFlight() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    CountDownLatch twoIn = new CountDownLatch(2);
    ContentRetriever counting = query -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      twoIn.countDown();
      awaitQuietly(twoIn); // the first two overlap for sure; with a bound of 1 the first would wait in vain
      inFlight.decrementAndGet();
      return List.of(Content.from("x"));
    };
    FanoutContentRetriever.Builder builder = FanoutContentRetriever.builder().executor(pool)
        .options(FanoutOptions.builder().timeout(Duration.ofMinutes(1)).maxConcurrency(2).clock(clock).build());
    for (int i = 0; i < 6; i++) {
      builder.addRetriever(counting);
    }

    assertThat(builder.build().retrieve(Query.from("q"))).hasSize(1); // identical texts fuse into one
    assertThat(maxInFlight.get()).isEqualTo(2);
  }

  @Test
  void itPlugsIntoDefaultRetrievalAugmentorAsItsOneRetriever() {
    FanoutContentRetriever retriever = FanoutContentRetriever.builder()
        .addRetriever("docs", answering("Rotate with two keys."))
        .addRetriever("faq", answering("Both keys stay valid."))
        .executor(pool)
        .options(FanoutContentRetriever.DEFAULT_OPTIONS.newBuilder().clock(clock).build())
        .build();
    DefaultRetrievalAugmentor augmentor = DefaultRetrievalAugmentor.builder().contentRetriever(retriever).build();

    AugmentationResult result = augmentor.augment(new AugmentationRequest(UserMessage.from("How to rotate?"),
        Metadata.from(UserMessage.from("How to rotate?"), null, List.of())));

    assertThat(result.contents()).hasSize(2);
    assertThat(((UserMessage) result.chatMessage()).singleText())
        .contains("Rotate with two keys.").contains("Both keys stay valid.");
  }

  @Test
  void theBuilderNamesTheBadValue() {
    assertThatThrownBy(() -> FanoutContentRetriever.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("no retrievers");
    assertThatThrownBy(() -> FanoutContentRetriever.builder().options(null))
        .isInstanceOf(NullPointerException.class).hasMessage("options == null");
    assertThatThrownBy(() -> FanoutContentRetriever.builder().addRetriever("a", answering()).addRetriever("a", answering()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("duplicate retriever name: \"a\"");
    assertThatThrownBy(() -> FanoutContentRetriever.builder().addRetriever(" ", answering()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name is blank: \" \"");
  }

  private void awaitCompletedTasks(long n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pool.getCompletedTaskCount() < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the answering retrievers never finished");
      }
      Thread.sleep(5);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(5, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
