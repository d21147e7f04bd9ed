package dev.fanout.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutContext;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.Outcome;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.langchain4j.internal.Blocking;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import dev.fanout.mock.Stats;
import dev.fanout.testing.FakeClock;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.service.AiServices;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** FanoutExecutors.propagating in LangChain4j's tool hook: tools run in the calling task's context. */
@Timeout(30)
class FanoutExecutorsTest {
  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.builder().delay(Duration.ofMillis(10)).route(Routes.SEARCH, Latency.fixed(Duration.ofSeconds(20))).build())
      .build();

  private final FakeClock clock = FakeClock.create();
  private ExecutorService pool;
  private FanoutClient client;

  @BeforeEach
  void setUp() {
    pool = Executors.newCachedThreadPool();
    client = FanoutClient.builder().baseUrl(backend.url()).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /** Starts a fan-out of one task that never finishes by itself, and returns the task's context. */
  private FanoutContext taskContext(List<FanoutFuture<?>> runs) throws Exception {
    CompletableFuture<FanoutContext> context = new CompletableFuture<>();
    runs.add(Fanout.settleAll(List.of(1), (Integer i, FanoutContext ctx) -> {
      context.complete(ctx);
      return new CompletableFuture<Object>();
    }, FanoutOptions.builder().timeout(Duration.ofSeconds(30)).clock(clock).build()));
    return context.get(5, TimeUnit.SECONDS);
  }

  @Test
  void aTaskSubmittedInsideAContextRunsInIt() throws Exception {
    List<FanoutFuture<?>> runs = new CopyOnWriteArrayList<>();
    FanoutContext context = taskContext(runs);
    Executor propagating = FanoutExecutors.propagating(pool);
    AtomicReference<FanoutContext> inside = new AtomicReference<>();
    AtomicReference<FanoutContext> outside = new AtomicReference<>();
    CountDownLatch ran = new CountDownLatch(2);

    context.wrap(() -> propagating.execute(() -> {
      inside.set(FanoutContext.current());
      ran.countDown();
    })).run();
    propagating.execute(() -> {
      outside.set(FanoutContext.current());
      ran.countDown();
    });

    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(inside.get().isNone()).isFalse();
    assertThat(inside.get().deadline().remaining()).isEqualTo(context.deadline().remaining());
    assertThat(outside.get().isNone()).as("submitted outside any context").isTrue();
    runs.forEach(r -> r.cancel(true));
  }

  interface Assistant {
    String chat(String message);
  }

  /** A tool whose lookup is the mock's search, 20 s slow; records whether it ran inside a context. */
  final class SlowTools {
    final List<Boolean> boundToAContext = new CopyOnWriteArrayList<>();

    @Tool("Current weather in a city")
    String getWeather(String city) {
      boundToAContext.add(!FanoutContext.current().isNone());
      return client.json().get("search?k=1&q=" + URLEncoder.encode(city, StandardCharsets.UTF_8), JsonNode.class)
          .toString();
    }
  }

  @Test
  void toolCallsOfAnAssistantInsideAFanoutTaskEndAtItsDeadline() throws Exception {
    SlowTools tools = new SlowTools();
    Assistant assistant = AiServices.builder(Assistant.class)
        .chatModel(FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build())
        .tools(tools)
        .executeToolsConcurrently(FanoutExecutors.propagating(pool))
        .build();

    FanoutFuture<List<Outcome<String>>> run = Fanout.settleAll(List.of("What is the weather in Paris and Tokyo?"),
        (String q, FanoutContext ctx) -> Blocking.supply(ctx.wrap(pool), () -> assistant.chat(q)),
        FanoutOptions.builder().timeout(Duration.ofSeconds(5)).clock(clock).build());

    awaitSearchesInFlight(2);
    clock.advance(Duration.ofSeconds(5));

    List<Outcome<String>> outcomes = run.get(10, TimeUnit.SECONDS);
    assertThat(outcomes.get(0).kind()).isEqualTo(Outcome.Kind.TIMED_OUT);
    Stats idle = backend.backend().awaitIdle(Duration.ofSeconds(10));
    assertThat(idle.requests(Routes.SEARCH)).isEqualTo(2);
    assertThat(idle.aborted()).as("both tool calls were cut at the deadline, 15 s before their answer").isEqualTo(2);
    assertThat(tools.boundToAContext).containsExactly(true, true);
  }

  /**
   * The README's recipe, as written there: one deadline over a whole {@code assistant.chat(..)}, model calls
   * and concurrent tool calls together. The tools' lookups take 20 s; a 5 s deadline ends the run
   * with {@code FanoutTimeoutException}, and every call still in flight is cancelled (the server is idle at
   * once, not 20 s later).
   */
  @Test
  void theReadmesOneDeadlineOverAnAssistantChatCancelsItsModelAndToolCalls() throws Exception {
    SlowTools tools = new SlowTools();
    Assistant assistant = AiServices.builder(Assistant.class)
        .chatModel(FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build())
        .tools(tools)
        .executeToolsConcurrently(FanoutExecutors.propagating(pool))
        .build();
    Duration deadline = Duration.ofSeconds(5);
    // The README's code, on a fake clock: the deadline passes once a tool's lookup is at the server, however
    // long a busy machine takes to get there.
    CompletableFuture<String> answer = CompletableFuture.supplyAsync(() ->
        Fanout.all(List.of("Weather in Paris, Tokyo and Lima?"),
                (String question, FanoutContext context) ->
                    CompletableFuture.supplyAsync(() -> assistant.chat(question), context.wrap(pool)),
                FanoutOptions.builder().timeout(deadline).clock(clock).build())   // one deadline: model calls and tools
            .await().get(0));
    awaitSearchesInFlight(1);
    long start = System.nanoTime();
    clock.advance(deadline);

    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .as("ended by the deadline").hasCauseInstanceOf(FanoutTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("ended by the deadline, not by the 20 s tools")
        .isLessThan(Duration.ofSeconds(10));
    Stats idle = backend.backend().awaitIdle(Duration.ofSeconds(10)); // fails if a call was left running
    assertThat(idle.inFlight()).isZero();
    assertThat(tools.boundToAContext).as("the tools ran, inside the deadline's context").isNotEmpty()
        .allSatisfy(bound -> assertThat(bound).isTrue());
  }

  private static void awaitSearchesInFlight(int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (backend.stats().inFlight() < n || backend.stats().requests(Routes.SEARCH) < n) {
      if (System.nanoTime() > end) {
        throw new AssertionError("tool calls never reached the server: " + backend.stats());
      }
      Thread.sleep(10);
    }
  }
}
