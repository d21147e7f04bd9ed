package dev.fanout;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Futures only the SDK completes: for a call and for a fan-out alike, a caller's {@code complete},
 * {@code completeExceptionally}, {@code obtrudeValue}, {@code obtrudeException}, {@code orTimeout} and
 * {@code completeOnTimeout} stop the work underneath; a derived stage gives no control.
 */
@Timeout(30)
class OwnedFutureTest {
  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/").toString()).retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  static Stream<Arguments> outsideCompletions() {
    Map<String, Consumer<CompletableFuture<Object>>> ways = new java.util.LinkedHashMap<>();
    ways.put("complete", f -> f.complete(null));
    ways.put("completeExceptionally", f -> f.completeExceptionally(new IllegalStateException("caller")));
    ways.put("obtrudeValue", f -> f.obtrudeValue(null));
    ways.put("obtrudeException", f -> f.obtrudeException(new IllegalStateException("caller")));
    ways.put("orTimeout", f -> f.orTimeout(1, TimeUnit.MILLISECONDS));
    ways.put("completeOnTimeout", f -> f.completeOnTimeout(null, 1, TimeUnit.MILLISECONDS));
    ways.put("cancel", f -> f.cancel(true));
    return ways.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }


  @ParameterizedTest(name = "{0}")
  @MethodSource("outsideCompletions")
  @SuppressWarnings("unchecked")
  void aCallersCompletionOfACallCancelsTheHttpCall(String way, Consumer<CompletableFuture<Object>> complete)
      throws Exception {
    server.enqueue(new MockResponse.Builder(Responses.user(1)).headersDelay(1, TimeUnit.HOURS).build());
    CompletableFuture<User> call = client.users().getAsync(1);
    server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(client.httpClient().dispatcher().runningCallsCount()).isEqualTo(1);

    complete.accept((CompletableFuture<Object>) (CompletableFuture<?>) call);

    eventually(call::isDone);
    eventually(() -> client.httpClient().dispatcher().runningCallsCount() == 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outsideCompletions")
  @SuppressWarnings("unchecked")
  void aCallersCompletionOfAFanoutCancelsEveryTaskAndStartsNoMore(
      String way, Consumer<CompletableFuture<Object>> complete) throws Exception {
    Map<Integer, CompletableFuture<String>> started = new ConcurrentHashMap<>();
    List<Integer> delivered = new CopyOnWriteArrayList<>();
    FanoutFuture<List<Outcome<String>>> run = Fanout.asCompleted(List.of(1, 2, 3, 4), (i, context) -> {
      CompletableFuture<String> f = new CompletableFuture<>();
      started.put(i, f);
      return f;
    }, FanoutOptions.builder().maxConcurrency(2).build(), o -> delivered.add(o.index()));
    assertThat(started).containsOnlyKeys(1, 2);

    complete.accept((CompletableFuture<Object>) (CompletableFuture<?>) run);

    eventually(run::isDone);
    eventually(() -> started.get(1).isCancelled() && started.get(2).isCancelled());
    started.get(1).complete("late"); // already cancelled: changes nothing
    assertThat(started).containsOnlyKeys(1, 2); // 3 and 4 never start
    assertThat(delivered).isEmpty();
    assertThat(run.report().entries()).extracting(FanoutReport.Entry::outcome).containsOnly(Outcome.Kind.CANCELLED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outsideCompletions")
  @SuppressWarnings("unchecked")
  void completingADerivedStageDoesNotReachTheCallOrTheFanout(
      String way, Consumer<CompletableFuture<Object>> complete) throws Exception {
    server.enqueue(new MockResponse.Builder(Responses.user(1)).headersDelay(1, TimeUnit.HOURS).build());
    CompletableFuture<User> call = client.users().getAsync(1);
    CompletableFuture<String> started = new CompletableFuture<>();
    FanoutFuture<List<String>> run = Fanout.all(List.of(1), (i, context) -> started, FanoutOptions.defaults());

    complete.accept((CompletableFuture<Object>) (CompletableFuture<?>) call.thenApply(User::name));
    complete.accept((CompletableFuture<Object>) (CompletableFuture<?>) run.thenApply(List::size));
    Thread.sleep(20); // let orTimeout's 1 ms timer pass: a bounded wait for something that must not happen

    assertThat(call).isNotDone();
    assertThat(run).isNotDone();
    assertThat(started).isNotDone();
    call.cancel(true);
    run.cancel(true);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("outsideCompletions")
  void theCallersValueOrErrorIsWhatTheFutureHolds(String way, Consumer<CompletableFuture<Object>> complete)
      throws Exception {
    FanoutFuture<Object> run = Fanout.firstSuccess(List.of(1), (i, context) -> new CompletableFuture<>(), FanoutOptions.defaults());

    complete.accept(run);

    eventually(run::isDone);
    boolean failed = way.contains("Exception") || way.equals("orTimeout") || way.equals("cancel");
    assertThat(run.isCompletedExceptionally()).isEqualTo(failed);
    assertThat(run.report().finished()).isTrue();
  }
}
