package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.Deadline;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutContext;
import dev.fanout.FanoutOptions;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.AgentLimitException;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.ToolFailedException;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import dev.fanout.testing.FakeClock;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tool loop against the agent-aware mock: its tool calls are deterministic (one call per city of
 * "Weather in Paris, Tokyo and Lima"), its final answer quotes every tool result. Deadlines run on a
 * {@link FakeClock}; concurrency is proved by barriers that only open when every call has started.
 */
@Timeout(30)
class AgentTest {
  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.fixed(Duration.ofMillis(20)))
      .build();

  static final String THREE_CITIES = "Weather in Paris, Tokyo and Lima";

  static final Tool WEATHER = Tool.function("get_weather", "Current weather in a city", Map.of(
      "type", "object",
      "properties", Map.of("city", Map.of("type", "string")),
      "required", List.of("city")), false);

  static final Tool PAPERS = Tool.function("search_papers", "Search papers",
      Map.of("type", "object", "properties", Map.of("query", Map.of("type", "string"))), false);

  private final FakeClock clock = FakeClock.create();
  private FanoutClient client;

  @BeforeEach
  void setUp() {
    client = FanoutClient.builder().baseUrl(backend.url()).clock(clock).retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private Agent.Builder agent() {
    return Agent.builder().chat(client.chat()).model("gpt-4o-mini").options(options().build());
  }

  /** The agent's default options on the test's clock. */
  private FanoutOptions.Builder options() {
    return Agent.DEFAULT_OPTIONS.newBuilder().clock(clock);
  }

  /**
   * Waits (10 s at most) for {@code future} to be done and returns it. A tool that signals its start before
   * it returns its future is cancelled on the thread that called it once it has returned, which may be
   * just after the run has failed.
   */
  private static <T> CompletableFuture<T> settled(CompletableFuture<T> future) throws Exception {
    future.handle((v, e) -> null).get(10, TimeUnit.SECONDS);
    return future;
  }

  private static String city(ToolCall call) {
    return call.argumentsJson().get("city").asText();
  }

  /**
   * Completes for every caller once {@code parties} have arrived; fails them all after 10 s of wall time if
   * they never do (the calls ran one after another), so a broken loop fails instead of hanging.
   */
  static final class Barrier {
    final int parties;
    final AtomicInteger arrived = new AtomicInteger();
    final CompletableFuture<Void> open = new CompletableFuture<>();

    Barrier(int parties) {
      this.parties = parties;
      open.orTimeout(10, TimeUnit.SECONDS);
    }

    CompletableFuture<Void> arrive() {
      if (arrived.incrementAndGet() == parties) {
        open.complete(null);
      }
      return open;
    }
  }

  @Test
  void runsTheTurnsToolCallsAtOnceAndAnswersWithTheirResults() {
    Barrier barrier = new Barrier(3);
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    Agent agent = agent()
        .addTool(WEATHER, (call, context) -> {
          calls.computeIfAbsent(call.id(), id -> new AtomicInteger()).incrementAndGet();
          // Each call waits for the others to start, then makes its own HTTP call through its context.
          return barrier.arrive().thenCompose(v -> client.json().withContext(context).getAsync(
                  "search?k=1&q=" + URLEncoder.encode(city(call), StandardCharsets.UTF_8), JsonNode.class))
              .thenApply(hits -> city(call) + ": " + hits.get("documents").get(0).get("text").asText());
        })
        .onToolFailure(OnToolFailure.FAIL_RUN) // a barrier that never opened fails the test, not the model
        .build();

    AgentResult result = agent.run(THREE_CITIES);

    assertThat(result.steps()).isEqualTo(2);
    assertThat(result.toolRuns()).extracting(run -> city(run.call())).containsExactly("Paris", "Tokyo", "Lima");
    assertThat(result.toolRuns()).allSatisfy(run -> {
      assertThat(run.step()).isEqualTo(1);
      assertThat(run.succeeded()).isTrue();
    });
    assertThat(result.content()).startsWith("Based on the tool results")
        .contains("Paris: Passage 1", "Tokyo: Passage 1", "Lima: Passage 1");
    // Every tool call accounted for once: run once, answered once, in the model's order.
    assertThat(calls).hasSize(3).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
    List<String> answered = result.messages().stream()
        .filter(m -> m.role().equals("tool")).map(m -> m.toolCallId().orElseThrow()).toList();
    assertThat(answered).containsExactlyElementsOf(
        result.toolRuns().stream().map(run -> run.call().id()).toList());
    assertThat(Set.copyOf(answered)).isEqualTo(calls.keySet());
    assertThat(backend.stats().requests(Routes.SEARCH)).isEqualTo(3);
    assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(2);
    // The tools' HTTP calls are traced into the step's fan-out report.
    assertThat(result.toolReports()).hasSize(1);
    assertThat(result.toolReports().get(0).entries()).hasSize(3)
        .allSatisfy(e -> assertThat(e.calls()).hasSize(1));
    assertThat(result.totalTokens()).isPositive();
    // The run's report holds every HTTP call of the run: its two model calls and the tools' three.
    assertThat(result.report().entries()).singleElement().satisfies(run ->
        assertThat(run.calls()).extracting(dev.fanout.CallTrace::label)
            .contains("agent step 1", "agent step 2").hasSize(5));
  }

  @Test
  void theOptionsMaxConcurrencyBoundsTheToolsRunningAtOnce() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    CompletableFuture<Void> twoAtOnce = new CompletableFuture<>();
    twoAtOnce.orTimeout(10, TimeUnit.SECONDS);
    Agent agent = agent()
        .options(options().maxConcurrency(2).build())
        .onToolFailure(OnToolFailure.FAIL_RUN)
        .addTool(WEATHER, (call, context) -> {
          int now = running.incrementAndGet();
          peak.accumulateAndGet(now, Math::max);
          if (now == 2) {
            twoAtOnce.complete(null);
          }
          // No call finishes before two have run at once; the bound keeps it from ever being three.
          return twoAtOnce.thenApply(v -> {
            running.decrementAndGet();
            return "sunny in " + city(call);
          });
        })
        .build();

    AgentResult result = agent.run("Weather in Paris, Tokyo, Lima and Oslo");

    assertThat(result.toolRuns()).hasSize(4).allSatisfy(run -> assertThat(run.succeeded()).isTrue());
    assertThat(peak.get()).isEqualTo(2);
  }

  @Test
  void oneParallelToolRunsTheCallsOneAfterAnother() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    List<String> order = new CopyOnWriteArrayList<>();
    Agent agent = agent()
        .options(options().maxConcurrency(1).build())
        .addTool(WEATHER, (call, context) -> {
          peak.accumulateAndGet(running.incrementAndGet(), Math::max);
          order.add(city(call));
          return client.json().withContext(context).getAsync("search?k=1&q=" + city(call), JsonNode.class)
              .thenApply(hits -> {
                running.decrementAndGet();
                return hits.toString();
              });
        })
        .build();

    agent.run(THREE_CITIES);

    assertThat(peak.get()).isEqualTo(1);
    assertThat(order).containsExactly("Paris", "Tokyo", "Lima");
    assertThat(backend.stats().maxInFlight()).isEqualTo(1);
  }

  @Test
  void stepLimitEndsTheRunWithATypedErrorNamingIt() {
    AtomicInteger toolCalls = new AtomicInteger();
    Agent agent = agent()
        .name("looper")
        .maxSteps(3)
        .request(b -> b.toolChoice(ToolChoice.required())) // the model never stops calling tools
        .addTool(WEATHER, (call, context) -> {
          toolCalls.incrementAndGet();
          return CompletableFuture.completedFuture("sunny");
        })
        .build();

    assertThatThrownBy(() -> agent.run("Weather in Paris"))
        .isInstanceOfSatisfying(AgentLimitException.class, e -> {
          assertThat(e.limit()).isEqualTo(AgentLimitException.Limit.MAX_STEPS);
          assertThat(e.limit().optionName()).isEqualTo("maxSteps");
          assertThat(e.value()).isEqualTo(3);
        })
        .hasMessageContaining("agent looper reached maxSteps 3")
        .hasMessageContaining("answer 3 still asks for 1 tool call (get_weather), not run");
    assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(3);
    assertThat(toolCalls.get()).as("the tools of steps 1 and 2; step 3's are not run").isEqualTo(2);
  }

  @Test
  void maxToolCallsRefusesAStepThatWouldPassIt() {
    AtomicInteger toolCalls = new AtomicInteger();
    Agent agent = agent()
        .maxToolCalls(2)
        .addTool(WEATHER, (call, context) -> {
          toolCalls.incrementAndGet();
          return CompletableFuture.completedFuture("sunny");
        })
        .build();

    assertThatThrownBy(() -> agent.run(THREE_CITIES))
        .isInstanceOfSatisfying(AgentLimitException.class, e -> {
          assertThat(e.limit()).isEqualTo(AgentLimitException.Limit.MAX_TOOL_CALLS);
          assertThat(e.value()).isEqualTo(2);
        })
        .hasMessageContaining("maxToolCalls 2")
        .hasMessageContaining("asks for 3 more tool calls");
    assertThat(toolCalls.get()).isZero();
  }

  @Test
  void aFailedToolIsReportedToTheModelByDefault() {
    Agent agent = agent()
        .addTool(WEATHER, (call, context) -> {
          if (city(call).equals("Tokyo")) {
            throw new IllegalStateException("no station in Tokyo");
          }
          if (city(call).equals("Lima")) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("Lima is offline"));
          }
          return CompletableFuture.completedFuture("sunny in " + city(call));
        })
        .build();

    AgentResult result = agent.run(THREE_CITIES);

    assertThat(result.toolRuns()).extracting(AgentResult.ToolRun::succeeded).containsExactly(true, false, false);
    assertThat(result.toolRuns().get(1).result())
        .isEqualTo("{\"error\":\"IllegalStateException: no station in Tokyo\"}");
    assertThat(result.toolRuns().get(2).outcome().error()).isInstanceOf(IllegalArgumentException.class);
    assertThat(result.content()).contains("sunny in Paris", "no station in Tokyo", "Lima is offline");
  }

  @Test
  void failRunFailsTheTurnAndCancelsTheStepsOtherTools() throws Exception {
    Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    Map<String, FanoutContext> contexts = new ConcurrentHashMap<>();
    Barrier othersStarted = new Barrier(2);
    Agent agent = agent()
        .onToolFailure(OnToolFailure.FAIL_RUN)
        .addTool(WEATHER, (call, context) -> {
          if (city(call).equals("Lima")) { // fails once the other two are running
            return othersStarted.open.thenCompose(v ->
                CompletableFuture.failedFuture(new IllegalStateException("Lima is offline")));
          }
          CompletableFuture<String> never = new CompletableFuture<>();
          pending.put(city(call), never);
          contexts.put(city(call), context);
          othersStarted.arrive();
          return never;
        })
        .build();

    assertThatThrownBy(() -> agent.run(THREE_CITIES))
        .isInstanceOfSatisfying(ToolFailedException.class, e -> {
          assertThat(e.toolName()).isEqualTo("get_weather");
          assertThat(e.toolCallId()).startsWith("call_");
          assertThat(e.getCause()).hasMessage("Lima is offline");
        })
        .hasMessageContaining("tool get_weather (call_");
    assertThat(pending).hasSize(2);
    for (CompletableFuture<String> f : pending.values()) {
      assertThat(settled(f)).isCancelled();
    }
    assertThat(contexts.values()).allSatisfy(c -> assertThat(c.isCancelled()).isTrue());
    assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(1);
  }

  @Test
  void theDeadlineReachesEveryToolAndEndsTheRun() throws Exception {
    Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    Map<String, FanoutContext> contexts = new ConcurrentHashMap<>();
    Barrier started = new Barrier(3);
    Agent agent = agent()
        .name("weatherman")
        .options(options().timeout(Duration.ofSeconds(30)).build())
        .addTool(WEATHER, (call, context) -> {
          CompletableFuture<String> never = new CompletableFuture<>();
          pending.put(city(call), never);
          contexts.put(city(call), context);
          started.arrive();
          return never;
        })
        .build();

    CompletableFuture<AgentResult> run = agent.runAsync(THREE_CITIES);
    started.open.get(10, TimeUnit.SECONDS);
    // The tools see the run's deadline: 30 s, of which no time has passed on the fake clock.
    assertThat(contexts.values()).hasSize(3)
        .allSatisfy(c -> assertThat(c.deadline().remaining()).isEqualTo(Duration.ofSeconds(30)));
    assertThat(run).isNotDone();

    clock.advance(Duration.ofSeconds(30));

    assertThatThrownBy(() -> run.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(FanoutTimeoutException.class)
        .hasMessageStartingWith("agent weatherman ran past its deadline at step 1");
    for (CompletableFuture<String> f : pending.values()) {
      assertThat(settled(f)).isCancelled();
    }
    assertThat(contexts.values()).allSatisfy(c -> assertThat(c.isCancelled()).isTrue());
  }

  @Test
  void cancellingTheRunCancelsItsToolsAndInterruptsBlockingOnes() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      CountDownLatch started = new CountDownLatch(3);
      CountDownLatch interrupted = new CountDownLatch(3);
      Map<String, FanoutContext> contexts = new ConcurrentHashMap<>();
      AtomicBoolean currentIsTheCallsContext = new AtomicBoolean(true);
      Agent agent = agent()
          .options(options().timeout(Duration.ofMinutes(1)).build())
          .toolExecutor(pool)
          .addBlockingTool(WEATHER, (call, context) -> {
            contexts.put(city(call), context);
            if (FanoutContext.current().deadline().compareTo(context.deadline()) != 0) {
              currentIsTheCallsContext.set(false);
            }
            started.countDown();
            try {
              new CountDownLatch(1).await(); // blocks until interrupted
              return "unreachable";
            } catch (InterruptedException e) {
              interrupted.countDown();
              throw e;
            }
          })
          .build();

      CompletableFuture<AgentResult> run = agent.runAsync(THREE_CITIES);
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(run.cancel(true)).isTrue();

      assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("every blocked tool thread interrupted").isTrue();
      assertThat(contexts.values()).hasSize(3).allSatisfy(c -> assertThat(c.isCancelled()).isTrue());
      assertThat(currentIsTheCallsContext).isTrue();
      assertThat(run).isCancelled();
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aNestedAgentSeesTheOuterDeadline() {
    Map<String, Deadline> seen = new ConcurrentHashMap<>();
    Agent researcher = agent()
        .name("researcher")
        .options(options().timeout(Duration.ofMinutes(10)).build()) // longer than the outer run's: the outer deadline wins
        .addTool(PAPERS, (call, context) -> {
              seen.put("inner tool", context.deadline());
              return CompletableFuture.completedFuture("3 papers on " + call.argumentsJson().get("query").asText());
            })
        .build();
    Agent lead = agent()
        .name("lead")
        .options(options().timeout(Duration.ofSeconds(30)).build())
        .addAgentTool("researcher", "A researcher who searches papers", researcher)
        .build();
    Deadline outer = Deadline.after(Duration.ofSeconds(30), clock);

    AgentResult result = lead.run("Get the researcher on rate limits");

    assertThat(seen.get("inner tool").compareTo(outer)).as("the inner tool's deadline is the outer run's").isZero();
    assertThat(seen.get("inner tool").remaining()).isEqualTo(Duration.ofSeconds(30));
    assertThat(result.toolRuns()).singleElement().satisfies(run -> {
      assertThat(run.call().name()).isEqualTo("researcher");
      assertThat(run.call().argumentsJson().get("task").asText()).isEqualTo("rate limits");
      assertThat(run.result()).isEqualTo("Based on the tool results: search_papers returned 3 papers on rate limits.");
    });
    assertThat(result.content()).contains("researcher returned Based on the tool results");
    // Lead: 2 model calls; researcher: 2 model calls inside the lead's one tool call.
    assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(4);
    assertThat(result.report().entries().get(0).calls()).extracting(dev.fanout.CallTrace::label)
        .containsExactly("lead step 1", "researcher step 1", "researcher step 2", "lead step 2");
  }

  @Test
  void theOuterDeadlineCancelsTheNestedAgentsTools() throws Exception {
    CompletableFuture<String> innerTool = new CompletableFuture<>();
    CompletableFuture<FanoutContext> innerContext = new CompletableFuture<>();
    Agent researcher = agent()
        .name("researcher")
        .addTool(PAPERS, (call, context) -> {
              innerContext.complete(context);
              return innerTool;
            })
        .build();
    Agent lead = agent()
        .name("lead")
        .options(options().timeout(Duration.ofSeconds(5)).build())
        .addAgentTool("researcher", "A researcher", researcher)
        .build();

    CompletableFuture<AgentResult> run = lead.runAsync("Get the researcher on rate limits");
    FanoutContext context = innerContext.get(10, TimeUnit.SECONDS);
    assertThat(context.deadline().remaining()).isEqualTo(Duration.ofSeconds(5));

    clock.advance(Duration.ofSeconds(5));

    assertThatThrownBy(() -> run.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(FanoutTimeoutException.class)
        .hasMessageStartingWith("agent lead ran past its deadline");
    assertThat(settled(innerTool)).isCancelled();
    assertThat(context.isCancelled()).isTrue();
  }

  @Test
  void aRunInsideACancelledContextFailsAtOnce() throws Exception {
    CompletableFuture<FanoutContext> captured = new CompletableFuture<>();
    AtomicInteger toolCalls = new AtomicInteger();
    Agent agent = agent()
        .addTool(WEATHER, (call, context) -> {
          toolCalls.incrementAndGet();
          return CompletableFuture.completedFuture("sunny");
        })
        .build();
    // The context of a fan-out's input, then the fan-out cancelled.
    dev.fanout.Fanout.all(List.of(1), (i, context) -> {
      captured.complete(context);
      return new CompletableFuture<Integer>();
    }, FanoutOptions.defaults()).cancel(true);
    assertThat(captured.get().isCancelled()).isTrue();

    CompletableFuture<AgentResult> run = agent.runAsync("Weather in Paris", captured.get());

    assertThatThrownBy(() -> run.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(FanoutCancelledException.class);
    assertThat(toolCalls.get()).isZero();
  }

  @Test
  void runAsyncWithoutAContextRunsInTheOptionsContext() {
    FanoutContext passed = FanoutContext.none().withDeadline(Deadline.after(Duration.ofSeconds(1), clock));
    clock.advance(Duration.ofSeconds(2));
    Agent inPassedContext = agent().options(options().context(passed).build()).build();

    assertThatThrownBy(() -> inPassedContext.runAsync("Weather in Paris?").join())
        .hasCauseInstanceOf(FanoutTimeoutException.class);
    assertThat(backend.stats().requests(Routes.CHAT)).as("no model call past the options' deadline").isZero();
  }

  @Test
  void buildersNameTheBadValue() {
    assertThatThrownBy(() -> Agent.builder().maxSteps(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxSteps < 1: 0");
    assertThatThrownBy(() -> Agent.builder().options(null))
        .isInstanceOf(NullPointerException.class).hasMessage("options == null");
    assertThatThrownBy(() -> Agent.builder().maxToolCalls(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxToolCalls < 1: 0");
    assertThatThrownBy(() -> Agent.builder().name(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name is blank: \" \"");
    assertThatThrownBy(() -> Agent.builder().model("gpt-4o-mini").build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("chat == null");
    assertThatThrownBy(() -> Agent.builder().chat(client.chat()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("model == null");
    ToolHandler ok = (call, context) -> CompletableFuture.completedFuture("");
    assertThatThrownBy(() -> agent().addTool(WEATHER, ok).addTool(WEATHER, ok))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("duplicate tool name: get_weather");
    Agent agent = agent().addTool(WEATHER, ok).build();
    assertThatThrownBy(() -> agent.runAsync(List.of(), FanoutContext.none()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conversation is empty");
    assertThat(agent.newBuilder().maxSteps(2).build().tools()).containsExactly(WEATHER);
    assertThat(agent.toString()).contains("maxSteps=" + Agent.DEFAULT_MAX_STEPS, "get_weather");
  }

  @Test
  void outcomesOfToolRunsAreOneSuccessOrFailurePerCall() {
    Agent agent = agent()
        .addTool(WEATHER, (call, context) -> CompletableFuture.completedFuture(null))
        .build();

    AgentResult result = agent.run("Weather in Paris");

    assertThat(result.toolRuns()).singleElement().satisfies(run -> {
      assertThat(run.outcome()).isInstanceOf(Outcome.Failure.class);
      assertThat(run.result()).isEqualTo("{\"error\":\"NullPointerException: tool get_weather returned null\"}");
    });
  }
}
