package dev.fanout;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The explicit context: a call made through a task's {@link FanoutContext} is bound to the fan-out's
 * deadline and cancellation from any thread; one made on a foreign thread without it escapes (as
 * documented). Deadlines run on a {@link FakeClock}: no real waiting.
 */
@Timeout(30)
class FanoutContextTest {
  private final MockWebServer server = new MockWebServer();
  private final FakeClock clock = FakeClock.create();
  private final ExecutorService foreign = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "foreign-pool");
    t.setDaemon(true);
    return t;
  });
  private final List<CallTrace> traces = new CopyOnWriteArrayList<>();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.none())
        .clock(clock)
        .traceListener(traces::add)
        .build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
    foreign.shutdownNow();
  }

  private static MockResponse hanging() {
    return new MockResponse.Builder(Responses.user(1)).headersDelay(1, TimeUnit.HOURS).build();
  }


  @Test
  void aCallThroughTheContextOnAnotherPoolIsBoundToTheFanoutsDeadline() throws Exception {
    server.enqueue(hanging());
    FanoutFuture<List<Outcome<User>>> run = Fanout.settleAll(List.of(1L),
        (id, context) -> CompletableFuture.supplyAsync(() -> client.users().withContext(context), foreign)
            .thenCompose(users -> users.getAsync(id)),
        FanoutOptions.builder().timeout(Duration.ofSeconds(30)).clock(clock).build());
    server.takeRequest(10, TimeUnit.SECONDS);

    clock.advance(Duration.ofSeconds(30));

    Outcome<User> outcome = run.get(10, TimeUnit.SECONDS).get(0);
    assertThat(outcome.kind()).isEqualTo(Outcome.Kind.TIMED_OUT);
    eventually(() -> traces.size() == 1); // the call itself ended: cancelled by its context
    assertThat(traces.get(0).outcome()).isIn(Outcome.Kind.CANCELLED, Outcome.Kind.TIMED_OUT);
    eventually(() -> client.httpClient().dispatcher().runningCallsCount() == 0);
    assertThat(run.report().entries().get(0).calls()).hasSize(1);
  }

  @Test
  void cancellingTheFanoutCancelsACallMadeThroughTheContextOnAnotherThread() throws Exception {
    server.enqueue(hanging());
    List<CompletableFuture<User>> calls = new CopyOnWriteArrayList<>();
    FanoutFuture<List<User>> run = Fanout.all(List.of(1L), (id, context) -> {
      CompletableFuture<User> derived = new CompletableFuture<>();
      foreign.execute(() -> {
        CompletableFuture<User> call = client.users().withContext(context).getAsync(id);
        calls.add(call);
        call.whenComplete((u, e) -> derived.complete(u)); // a task that hides the call behind its own future
      });
      return derived;
    }, FanoutOptions.defaults());
    server.takeRequest(10, TimeUnit.SECONDS);
    eventually(() -> calls.size() == 1);

    run.cancel(true);

    assertThat(calls.get(0)).isCancelled();
    eventually(() -> client.httpClient().dispatcher().runningCallsCount() == 0);
  }

  @Test
  void aCallStartedThroughACancelledContextFailsAtOnceWithoutARequest() throws Exception {
    List<FanoutContext> seen = new CopyOnWriteArrayList<>();
    FanoutFuture<List<String>> run = Fanout.all(List.of(1), (i, context) -> {
      seen.add(context);
      return new CompletableFuture<>();
    }, FanoutOptions.defaults());
    run.cancel(true);
    assertThat(seen.get(0).isCancelled()).isTrue();

    CompletableFuture<User> late = client.users().withContext(seen.get(0)).getAsync(1);

    assertThat(late).isCompletedExceptionally();
    assertThatThrownBy(() -> HttpEngine.await(late))
        .isInstanceOf(FanoutCancelledException.class).hasMessageContaining("context was cancelled");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void aDecidedFanoutCancelsTheLosersContexts() throws Exception {
    List<FanoutContext> contexts = new CopyOnWriteArrayList<>();
    List<CompletableFuture<String>> futures = new CopyOnWriteArrayList<>();
    FanoutFuture<String> run = Fanout.firstSuccess(List.of(1, 2), (i, context) -> {
      contexts.add(context);
      CompletableFuture<String> f = new CompletableFuture<>();
      futures.add(f);
      return f;
    }, FanoutOptions.defaults());
    futures.get(0).complete("first");

    assertThat(run.await()).isEqualTo("first");
    assertThat(contexts.get(1).isCancelled()).isTrue();
    assertThat(contexts.get(0).isCancelled()).isFalse(); // it finished on its own
  }

  @Test
  void aCallOnAForeignThreadWithoutTheContextEscapesAsDocumented() throws Exception {
    server.enqueue(hanging());
    List<CompletableFuture<User>> calls = new CopyOnWriteArrayList<>();
    FanoutFuture<List<User>> run = Fanout.all(List.of(1L), (id, ctx) ->
        CompletableFuture.supplyAsync(() -> {
          CompletableFuture<User> call = client.users().getAsync(id); // no context on this thread
          calls.add(call);
          return call;
        }, foreign).thenCompose(c -> c), FanoutOptions.defaults());
    server.takeRequest(10, TimeUnit.SECONDS);
    eventually(() -> calls.size() == 1);

    run.cancel(true);

    assertThat(calls.get(0)).isNotDone(); // not bound: it runs on
    calls.get(0).cancel(true);
  }

  @Test
  void aWrappedExecutorCarriesTheContextToCallsMadeWithoutIt() throws Exception {
    server.enqueue(hanging());
    List<CompletableFuture<User>> calls = new CopyOnWriteArrayList<>();
    FanoutFuture<List<User>> run = Fanout.all(List.of(1L), (id, context) ->
        CompletableFuture.supplyAsync(() -> {
          CompletableFuture<User> call = client.users().getAsync(id); // current() is the task's context here
          calls.add(call);
          return call;
        }, context.wrap(foreign)).thenCompose(c -> c), FanoutOptions.defaults());
    server.takeRequest(10, TimeUnit.SECONDS);
    eventually(() -> calls.size() == 1);

    run.cancel(true);

    assertThat(calls.get(0)).isCancelled();
  }

  @Test
  void wrapInstallsTheContextOnlyWhileTheWrappedWorkRuns() throws Exception {
    List<FanoutContext> contexts = new CopyOnWriteArrayList<>();
    Fanout.all(List.of(1), (i, context) -> {
      contexts.add(context);
      return CompletableFuture.completedFuture(i);
    }, FanoutOptions.defaults()).await();
    FanoutContext context = contexts.get(0);

    assertThat(FanoutContext.current()).isSameAs(FanoutContext.none());
    List<FanoutContext> inside = new CopyOnWriteArrayList<>();
    Runnable r = () -> inside.add(FanoutContext.current());
    context.wrap(r).run();
    assertThat(context.wrap(() -> FanoutContext.current()).call()).isSameAs(context);
    assertThat(inside).containsExactly(context);
    assertThat(FanoutContext.current()).isSameAs(FanoutContext.none());
  }

  @Test
  void aNestedFanoutGivenTheContextInheritsTheEarlierDeadlineAndTheCancellation() throws Exception {
    List<Deadline> innerDeadlines = new CopyOnWriteArrayList<>();
    List<CompletableFuture<String>> tools = new CopyOnWriteArrayList<>();
    List<FanoutFuture<List<String>>> inner = new CopyOnWriteArrayList<>();
    FanoutFuture<List<List<String>>> outer = Fanout.all(List.of(1), (agent, context) ->
        CompletableFuture.supplyAsync(() -> {
          FanoutFuture<List<String>> f = Fanout.all(List.of(10, 11), (tool, toolContext) -> {
            innerDeadlines.add(toolContext.deadline());
            CompletableFuture<String> t = new CompletableFuture<>();
            tools.add(t);
            return t;
          }, FanoutOptions.builder().context(context).timeout(Duration.ofMinutes(5)).build());
          inner.add(f);
          return f;
        }, foreign).thenCompose(f -> f),
        FanoutOptions.builder().timeout(Duration.ofSeconds(20)).clock(clock).build());
    eventually(() -> tools.size() == 2);

    assertThat(innerDeadlines).allSatisfy(d -> assertThat(d.remaining()).isEqualTo(Duration.ofSeconds(20)));
    outer.cancel(true);

    assertThat(inner.get(0)).isCancelled();
    assertThat(tools).allSatisfy(t -> assertThat(t).isCancelled());
  }

  @Test
  void aTaskRunsWithItsContextAsTheCurrentOneSoACallWithoutItIsStillBoundOnThatThread() throws Exception {
    server.enqueue(hanging());
    FanoutFuture<List<User>> run = Fanout.all(List.of(1L), (input, context) -> client.users().getAsync(input),
        FanoutOptions.builder().timeout(Duration.ofSeconds(5)).clock(clock).build());
    server.takeRequest(10, TimeUnit.SECONDS);

    clock.advance(Duration.ofSeconds(5));

    assertThatThrownBy(run::await).isInstanceOf(FanoutTimeoutException.class);
    eventually(() -> client.httpClient().dispatcher().runningCallsCount() == 0);
  }

  @Test
  void everyCombinatorHasOneFormTakingATaskAndOptions() {
    List<Long> ids = List.of(1L);
    Fanout.Task<Long, User> task = (id, context) -> client.users().withContext(context).getAsync(id);
    FanoutOptions options = FanoutOptions.defaults();
    List<FanoutFuture<?>> runs = List.of(
        Fanout.sequential(ids, task, options),
        Fanout.all(ids, task, options),
        Fanout.settleAll(ids, task, options),
        Fanout.asCompleted(ids, task, options, o -> {}),
        Fanout.firstSuccess(ids, task, options),
        Fanout.firstK(1, ids, task, options));
    runs.forEach(r -> r.cancel(true));
    Fanout.asCompletedStream(ids, task, options).close();
    assertThat(runs).allSatisfy(r -> assertThat(r).isDone());
  }
}
