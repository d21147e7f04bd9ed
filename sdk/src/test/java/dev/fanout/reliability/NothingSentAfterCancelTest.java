package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutScope;
import dev.fanout.FanoutStream;
import dev.fanout.StreamReport;
import dev.fanout.users.User;
import dev.fanout.Outcome;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.testsupport.Responses;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once a fan-out's {@code cancel} or the client's {@code close} has returned, no request of that fan-out or
 * client reaches the server: 1,000 calls at {@code maxInFlight(64)}, the server holding the 64 it got, then a
 * cancel or a close. The 936 calls queued behind the 64 are never written, though cancelling the 64 frees
 * the slots they wait for; every call is accounted for once, and one that was never sent says so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class NothingSentAfterCancelTest {
  private static final int N = 1000;
  private static final int MAX_IN_FLIGHT = 64;

  private MockWebServer server;
  private Holding holding = new Holding();

  /** Counts the requests that arrive and holds each (no answer) until released. */
  private static final class Holding extends Dispatcher {
    final AtomicInteger arrived = new AtomicInteger();
    final CountDownLatch full = new CountDownLatch(MAX_IN_FLIGHT);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
      arrived.incrementAndGet();
      full.countDown();
      release.await();
      return Responses.json("{\"id\":1,\"name\":\"User 1\",\"email\":\"user1@example.com\"}");
    }

    @Override
    public void close() {
      release.countDown();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    server = new MockWebServer();
    server.setDispatcher(holding);
    server.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    holding.release.countDown();
    server.close();
  }

  private FanoutClient client() {
    return FanoutClient.builder().baseUrl(server.url("/").toString()).maxInFlight(MAX_IN_FLIGHT).build();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"HTTP/1.1", "h2c"})
  void aCancelledFanOutSendsNothingAfterCancelReturns(String protocol) throws Exception {
    boolean h2 = protocol.equals("h2c");
    if (h2) {
      // HTTP/2: the calls also pass the client's connection gate, which holds them until a connection has
      // streams for them.
      server.close(); // releases what its dispatcher held: this server gets a new one
      holding = new Holding();
      server = new MockWebServer();
      server.setDispatcher(holding);
      server.setProtocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE));
      server.start();
    }
    try (FanoutClient client = h2 ? FanoutClient.builder().baseUrl(server.url("/").toString())
        .maxInFlight(MAX_IN_FLIGHT).http2PriorKnowledge(true).build() : client()) {
      List<CompletableFuture<?>> calls = Collections.synchronizedList(new ArrayList<>());
      FanoutFuture<List<Outcome<Object>>> run = Fanout.settleAll(ids(), (id, context) -> {
        CompletableFuture<Object> call = client.users().getAsync(id).thenApply(u -> (Object) u);
        calls.add(call);
        return call;
      }, FanoutOptions.defaults());
      assertThat(holding.full.await(30, TimeUnit.SECONDS)).as("the server holds %d requests", MAX_IN_FLIGHT).isTrue();
      int atCancel = holding.arrived.get();

      assertThat(run.cancel(true)).isTrue();

      int after = settleThenRelease(client, calls);
      assertThat(atCancel).isEqualTo(MAX_IN_FLIGHT);
      assertThat(after).as("requests at the server after the cancel returned").isEqualTo(atCancel);
      assertThat(run.report().entries()).hasSize(N).allSatisfy(e -> assertThat(e.outcome()).isEqualTo(Outcome.Kind.CANCELLED));
      System.out.printf("RELIABILITY nothing sent after cancel (%s): settleAll of %d GETs at maxInFlight %d, "
          + "cancelled with %d held at the server: %d requests arrived after cancel returned%n", protocol, N,
          MAX_IN_FLIGHT, atCancel, after - atCancel);
    }
  }

  @Test
  void aClosedScopeSendsNothingAfterCloseReturns() throws Exception {
    try (FanoutClient client = client()) {
      List<CompletableFuture<?>> calls = Collections.synchronizedList(new ArrayList<>());
      FanoutScope scope = Fanout.scope(FanoutScope.Policy.SETTLE_ALL, FanoutOptions.defaults());
      for (long id : ids()) {
        scope.fork("user " + id, ctx -> {
          CompletableFuture<User> call = client.users().withContext(ctx).getAsync(id);
          calls.add(call);
          return call;
        });
      }
      assertThat(holding.full.await(30, TimeUnit.SECONDS)).as("the server holds %d requests", MAX_IN_FLIGHT).isTrue();
      int atClose = holding.arrived.get();

      scope.close();

      int after = settleThenRelease(client, calls);
      assertThat(atClose).isEqualTo(MAX_IN_FLIGHT);
      assertThat(after).as("requests at the server after the scope's close returned").isEqualTo(atClose);
      assertThat(scope.report().entries()).hasSize(N)
          .allSatisfy(e -> assertThat(e.outcome()).isEqualTo(Outcome.Kind.CANCELLED));
    }
  }

  @Test
  void aCancelledStreamSendsNothingAfterCancelReturns() throws Exception {
    try (FanoutClient client = client()) {
      List<CompletableFuture<?>> calls = Collections.synchronizedList(new ArrayList<>());
      // 256 tasks at once against 64 slots: 192 calls wait in the client's queue when the cancel comes.
      FanoutStream<Long, User> stream = FanoutStream.<Long, User>builder(ids().iterator(), (id, ctx) -> {
        CompletableFuture<User> call = client.users().withContext(ctx).getAsync(id);
        calls.add(call);
        return call;
      }).options(FanoutOptions.builder().maxConcurrency(256).build()).build();
      CompletableFuture<StreamReport> done = stream.start(completion -> {});
      assertThat(holding.full.await(30, TimeUnit.SECONDS)).as("the server holds %d requests", MAX_IN_FLIGHT).isTrue();
      int atCancel = holding.arrived.get();

      stream.cancel();

      int after = settleThenRelease(client, calls);
      assertThat(atCancel).isEqualTo(MAX_IN_FLIGHT);
      assertThat(after).as("requests at the server after the stream's cancel returned").isEqualTo(atCancel);
      StreamReport report = done.handle((r, e) -> stream.report()).get(10, TimeUnit.SECONDS);
      assertThat(report.end()).isEqualTo(StreamReport.End.CANCELLED);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"GET users", "POST json"})
  void aClosedClientSendsNothingAfterCloseReturns(String kind) throws Exception {
    FanoutClient client = client();
    List<CompletableFuture<?>> calls = Collections.synchronizedList(new ArrayList<>());
    boolean post = kind.startsWith("POST");
    FanoutFuture<List<Outcome<Object>>> run = Fanout.settleAll(ids(), (id, context) -> {
      CompletableFuture<Object> call = post
          ? client.json().postAsync("items", Map.of("id", id), Map.class).thenApply(m -> (Object) m)
          : client.users().getAsync(id).thenApply(u -> (Object) u);
      calls.add(call);
      return call;
    }, FanoutOptions.defaults());
    assertThat(holding.full.await(30, TimeUnit.SECONDS)).as("the server holds %d requests", MAX_IN_FLIGHT).isTrue();
    int atClose = holding.arrived.get();

    client.close();

    int after = settleThenRelease(client, calls);
    assertThat(atClose).isEqualTo(MAX_IN_FLIGHT);
    assertThat(after).as("requests at the server after close returned").isEqualTo(atClose);
    // Every call failed once, as cancelled; those that never left the client say so.
    List<Outcome<Object>> outcomes = run.get(10, TimeUnit.SECONDS);
    assertThat(outcomes).hasSize(N).allSatisfy(o -> assertThat(o.error()).isInstanceOf(FanoutCancelledException.class));
    long neverSent = outcomes.stream().filter(o -> o.error().getMessage().contains("never sent")).count();
    long mayHaveArrived = outcomes.stream().filter(o -> o.error().getMessage().contains("may have reached")).count();
    assertThat(neverSent).isEqualTo(N - atClose);
    assertThat(mayHaveArrived).isEqualTo(atClose);
    System.out.printf("RELIABILITY nothing sent after close (%s): %d calls at maxInFlight %d, closed with %d held at "
        + "the server: %d requests arrived after close returned%n", kind, N, MAX_IN_FLIGHT, atClose, after - atClose);
  }

  private static List<Long> ids() {
    return LongStream.rangeClosed(1, N).boxed().toList();
  }

  /**
   * Waits until every call's future is complete and the client's dispatcher has nothing running or queued
   * (so no request of the client can still be written), then lets the server answer what it holds; returns
   * how many requests the server got in all.
   */
  private int settleThenRelease(FanoutClient client, List<CompletableFuture<?>> calls) throws Exception {
    for (CompletableFuture<?> call : List.copyOf(calls)) {
      call.handle((v, e) -> null).get(30, TimeUnit.SECONDS);
    }
    okhttp3.Dispatcher dispatcher = client.httpClient().dispatcher();
    CountDownLatch idle = new CountDownLatch(1);
    dispatcher.setIdleCallback(idle::countDown);
    if (dispatcher.runningCallsCount() > 0) {
      assertThat(idle.await(30, TimeUnit.SECONDS)).as("the dispatcher ends every call").isTrue();
    }
    assertThat(dispatcher.queuedCallsCount()).isZero();
    int count = holding.arrived.get();
    holding.release.countDown();
    return count;
  }
}
