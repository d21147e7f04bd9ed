package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.CallScope;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cancellation, deadlines, traces and close(), against a scripted MockWebServer. */
@Timeout(30)
class CallLifecycleTest {
  private final MockWebServer server = new MockWebServer();
  private final List<CallTrace> traces = new CopyOnWriteArrayList<>();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = builder().build();
  }

  private FanoutClient.Builder builder() {
    return FanoutClient.builder()
        .baseUrl(server.url("/").toString())
        .retryPolicy(RetryPolicy.none())
        .virtualThreads(VirtualThreads.OFF)
        .traceListener(traces::add);
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private static MockResponse slowUser(long id, Duration delay) {
    return new MockResponse.Builder(Responses.user(id)).headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS).build();
  }

  /** Waits up to 5 s for {@code condition}; a bounded poll for a state change, not a timing assertion. */
  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not reached within 5 s").isLessThan(end);
      Thread.sleep(10);
    }
  }

  @Test
  void cancellingTheFutureCancelsTheHttpCall() throws Exception {
    server.enqueue(slowUser(1, Duration.ofSeconds(10)));
    CompletableFuture<User> call = client.users().getAsync(1);
    server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(client.httpClient().dispatcher().runningCallsCount()).isEqualTo(1);

    assertThat(call.cancel(true)).isTrue();

    assertThat(call).isCancelled();
    eventually(() -> client.httpClient().dispatcher().runningCallsCount() == 0);
    assertThat(traces).singleElement().satisfies(t -> {
      assertThat(t.outcome()).isEqualTo(Outcome.Kind.CANCELLED);
      assertThat(t.errorType()).isEqualTo(FanoutCancelledException.class);
    });
    assertThatThrownBy(() -> HttpEngine.await(call)).isInstanceOf(FanoutCancelledException.class)
        .hasCauseInstanceOf(CancellationException.class);
  }

  @Test
  void cancellingDuringABackoffDropsTheRetry() throws Exception {
    FakeClock clock = FakeClock.create();
    client.close();
    client = builder().retryPolicy(RetryPolicy.defaults()).clock(clock).totalTimeout(Duration.ZERO).build();
    server.enqueue(new MockResponse.Builder().code(503).build());
    server.enqueue(Responses.user(1));

    CompletableFuture<User> call = client.users().getAsync(1);
    eventually(() -> clock.pendingTasks() == 1); // the backoff
    call.cancel(true);

    // The backoff timer is dropped, by the cancel or by the callback thread that was scheduling it at that
    // instant (it sees the call finished); either way no attempt follows, however late a wake-up would come.
    eventually(() -> clock.pendingTasks() == 0);
    clock.advance(Duration.ofMinutes(1));
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(traces).singleElement().satisfies(t -> assertThat(t.attempts()).isEqualTo(1));
  }

  @Test
  void scopeDeadlineCancelsAndTimesOutAndTheScopeSeesTraceAndCall() throws Exception {
    server.enqueue(slowUser(1, Duration.ofSeconds(10)));
    FakeClock clock = FakeClock.create();
    List<CallTrace> scopeTraces = new CopyOnWriteArrayList<>();
    CallScope scope = new CallScope(null, Deadline.after(Duration.ofMillis(300), clock), clock, scopeTraces::add);
    FanoutContext context = new FanoutContext(scope);

    CompletableFuture<User> call = client.users().withContext(context).getAsync(1);
    server.takeRequest(5, TimeUnit.SECONDS);
    clock.advance(Duration.ofMillis(299));
    assertThat(call).isNotDone();
    clock.advance(Duration.ofMillis(1));

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
          assertThat(e.timeout()).isEqualTo(Duration.ofMillis(300));
          assertThat(e.getMessage()).contains("GET /users/1").contains("deadline");
        });
    assertThat(scopeTraces).singleElement().satisfies(t -> {
      assertThat(t.outcome()).isEqualTo(Outcome.Kind.TIMED_OUT);
      assertThat(t.errorType()).isEqualTo(FanoutTimeoutException.class);
    });
    eventually(() -> client.httpClient().dispatcher().runningCallsCount() == 0);
  }

  @Test
  void aTimeoutNamesTheDeadlineSetAndWhatWasLeftWhenTheCallStarted() throws Exception {
    server.enqueue(slowUser(1, Duration.ofSeconds(10)));
    FakeClock clock = FakeClock.create();
    CallScope scope = new CallScope(null, Deadline.after(Duration.ofMillis(200), clock), clock, null);
    clock.advance(Duration.ofMillis(23)); // the deadline was set before the call: a fan-out's, say

    CompletableFuture<User> call = client.users().withContext(new FanoutContext(scope)).getAsync(1);
    server.takeRequest(5, TimeUnit.SECONDS);
    clock.advance(Duration.ofMillis(177));

    assertThatThrownBy(() -> HttpEngine.await(call))
        .isInstanceOfSatisfying(FanoutTimeoutException.class, e -> {
          assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200));
          assertThat(e.getMessage())
              .endsWith("GET /users/1 did not finish within its deadline (200 ms; 177 ms were left when the call started)");
        });
  }

  @Test
  void expiredScopeDeadlineFailsWithoutARequest() {
    FakeClock clock = FakeClock.create();
    FanoutContext context = new FanoutContext(new CallScope(null, Deadline.after(Duration.ZERO, clock), clock, null));

    CompletableFuture<User> call = client.users().withContext(context).getAsync(1);

    assertThatThrownBy(() -> HttpEngine.await(call)).isInstanceOf(FanoutTimeoutException.class);
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void totalTimeoutBoundsACallOnTheClientsClock() throws Exception {
    FakeClock clock = FakeClock.create();
    client.close();
    client = builder().totalTimeout(Duration.ofSeconds(30)).clock(clock).build();
    server.enqueue(slowUser(1, Duration.ofSeconds(60)));

    CompletableFuture<User> call = client.users().getAsync(1);
    server.takeRequest(5, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(30)); // a 30-second budget, passed in no time

    assertThatThrownBy(() -> HttpEngine.await(call)).isInstanceOf(FanoutTimeoutException.class);
    assertThat(clock.scheduledDelays()).containsExactly(Duration.ofSeconds(30));
  }

  @Test
  void aPerCallTimeoutOverridesTheClientsTotalTimeout() throws Exception {
    FakeClock clock = FakeClock.create();
    client.close();
    client = builder().totalTimeout(Duration.ofSeconds(30)).clock(clock).build();
    server.enqueue(slowUser(1, Duration.ofSeconds(60)));

    CompletableFuture<User> call = client.users()
        .withOptions(CallOptions.builder().timeout(Duration.ofSeconds(2)).build()).getAsync(1);
    server.takeRequest(5, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(2));

    assertThatThrownBy(() -> HttpEngine.await(call)).isInstanceOf(FanoutTimeoutException.class);
  }

  @Test
  void traceShowsQueueTimeUnderTheConcurrencyLimit() throws Exception {
    client.close();
    client = builder().maxInFlight(1).build();
    server.enqueue(slowUser(1, Duration.ofMillis(300)));
    server.enqueue(slowUser(2, Duration.ofMillis(300)));

    CompletableFuture<User> a = client.users().getAsync(1);
    CompletableFuture<User> b = client.users().getAsync(2);
    CompletableFuture.allOf(a, b).get(10, TimeUnit.SECONDS);

    assertThat(traces).hasSize(2).allSatisfy(t -> {
      assertThat(t.ok()).isTrue();
      assertThat(t.attempts()).isEqualTo(1);
      assertThat(t.statusCode()).hasValue(200);
      assertThat(t.startNanos()).isPresent();
      assertThat(t.queuedNanos()).isLessThanOrEqualTo(t.startNanos().getAsLong());
      assertThat(t.firstByteNanos().getAsLong()).isBetween(t.startNanos().getAsLong(), t.endNanos());
    });
    CallTrace second = traces.stream().filter(t -> t.label().equals("GET /users/2")).findFirst().orElseThrow();
    assertThat(Duration.ofNanos(second.clientQueueNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    CallTrace first = traces.stream().filter(t -> t.label().equals("GET /users/1")).findFirst().orElseThrow();
    assertThat(first.connectedNanos().getAsLong())
        .isBetween(first.startNanos().getAsLong(), first.firstByteNanos().getAsLong());
  }

  @Test
  void closeReleasesThreadsAndConnectionsAndFailsUnfinishedCalls() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    server.enqueue(Responses.user(1));
    server.enqueue(Responses.user(2));
    server.enqueue(slowUser(3, Duration.ofSeconds(10)));
    client.users().get(1);
    client.users().get(2);
    CompletableFuture<User> pending = client.users().getAsync(3);
    server.takeRequest(5, TimeUnit.SECONDS);
    server.takeRequest(5, TimeUnit.SECONDS);
    server.takeRequest(5, TimeUnit.SECONDS);
    Set<Thread> ours = Thread.getAllStackTraces().keySet().stream()
        // OkHttp renames a dispatcher thread to "OkHttp <url>" while it runs a call.
        .filter(t -> !before.contains(t)
            && (t.getName().startsWith("fanout-") || t.getName().startsWith("OkHttp " + server.url("/"))))
        .collect(Collectors.toSet());
    assertThat(ours).isNotEmpty();
    assertThat(client.httpClient().connectionPool().connectionCount()).isPositive();

    client.close();
    client.close(); // idempotent

    assertThatThrownBy(() -> HttpEngine.await(pending)).isInstanceOf(FanoutCancelledException.class);
    for (Thread t : ours) {
      t.join(5_000); // the pool reports termination just before its last worker returns from run()
    }
    assertThat(ours).noneMatch(Thread::isAlive);
    eventually(() -> client.httpClient().connectionPool().connectionCount() == 0);
    assertThatThrownBy(() -> client.users().getAsync(4))
        .isInstanceOf(IllegalStateException.class).hasMessage("client is closed");
    assertThat(client.toString()).contains("closed");
  }

  @Test
  void interruptingABlockingCallCancelsIt() throws Exception {
    server.enqueue(slowUser(1, Duration.ofSeconds(10)));
    List<Throwable> thrown = new CopyOnWriteArrayList<>();
    Thread caller = new Thread(() -> {
      try {
        client.users().get(1);
      } catch (Throwable t) {
        thrown.add(t);
        thrown.add(new IllegalStateException("interrupted=" + Thread.currentThread().isInterrupted()));
      }
    });
    caller.start();
    server.takeRequest(5, TimeUnit.SECONDS);
    caller.interrupt();
    caller.join(5_000);

    assertThat(thrown).hasSize(2);
    assertThat(thrown.get(0)).isInstanceOf(FanoutCancelledException.class);
    assertThat(thrown.get(1)).hasMessage("interrupted=true");
    eventually(() -> client.httpClient().dispatcher().runningCallsCount() == 0);
  }
}
