package dev.fanout.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClientSpec;
import dev.fanout.GovernorPolicy;
import dev.fanout.RetryPolicy;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.metrics.CharacterFilter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The function's metrics on its operator's metric group (Flink's {@link MetricListener}), read while the server
 * holds the calls and after it answered with a 429: the figures are the client's stats.
 */
@Timeout(30)
class FanoutMetricsTest {
  private final MetricListener listener = new MetricListener();
  private FanoutAsyncFunction<Long, User> function;

  @AfterEach
  void close() throws Exception {
    if (function != null) {
      function.close();
    }
  }

  private FanoutAsyncFunction<Long, User> open(MockWebServer server) throws Exception {
    FanoutAsyncConfig config = FanoutAsyncConfig.builder()
        .spec(FanoutClientSpec.builder()
            .baseUrl(server.url("/").toString())
            .maxInFlight(8)
            .governor(GovernorPolicy.disabled())
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).jitter(0).build())
            .build())
        .timeout(Duration.ofSeconds(20))
        .build();
    FanoutAsyncFunction<Long, User> fn = InstantiationUtil.clone(
        FanoutAsyncFunction.of(config, (client, id) -> client.users().getAsync(id)));
    fn.setRuntimeContext(new MockStreamingRuntimeContext(1, 0) {
      @Override
      public OperatorMetricGroup getMetricGroup() {
        return new ListenedOperatorGroup(listener.getMetricGroup());
      }
    });
    fn.open(DefaultOpenContext.INSTANCE);
    function = fn;
    return fn;
  }

  private int gauge(String name) {
    Gauge<Integer> g = listener.<Integer>getGauge(FanoutMetrics.GROUP, name).orElseThrow();
    return g.getValue();
  }

  private long counter(String name) {
    return listener.getCounter(FanoutMetrics.GROUP, name).orElseThrow().getCount();
  }

  private static MockResponse user(RecordedRequest request) {
    String id = request.getUrl().pathSegments().get(1);
    return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
        .body("{\"id\":" + id + ",\"name\":\"Ada\",\"email\":\"ada@example.com\"}").build();
  }

  @Test
  void inFlightGaugesShowTheCallsTheServerHolds() throws Exception {
    int n = 3;
    CountDownLatch arrived = new CountDownLatch(n);
    CountDownLatch release = new CountDownLatch(1);
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
          arrived.countDown();
          release.await(20, TimeUnit.SECONDS);
          return user(request);
        }
      });
      server.start();
      FanoutAsyncFunction<Long, User> fn = open(server);
      assertThat(gauge(FanoutMetrics.CALLS_IN_FLIGHT)).isZero();
      List<RecordingResultFuture<User>> results = new ArrayList<>();
      for (long id = 1; id <= n; id++) {
        RecordingResultFuture<User> rf = new RecordingResultFuture<>();
        fn.asyncInvoke(id, rf);
        results.add(rf);
      }
      try {
        assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(gauge(FanoutMetrics.CALLS_IN_FLIGHT)).isEqualTo(n);
        assertThat(gauge(FanoutMetrics.ATTEMPTS_IN_FLIGHT)).isEqualTo(n);
      } finally {
        release.countDown();
      }
      for (RecordingResultFuture<User> rf : results) {
        rf.result.get(20, TimeUnit.SECONDS);
      }
      // a call stops counting before its future completes, and the element completes from that future
      assertThat(gauge(FanoutMetrics.CALLS_IN_FLIGHT)).isZero();
      assertThat(gauge(FanoutMetrics.ATTEMPTS_IN_FLIGHT)).isZero();
    }
  }

  @Test
  void a429IsCountedAndTheOtherCountersAreThere() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "0")
          .body("{\"error\":{\"message\":\"slow down\"}}").build());
      server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
          .body("{\"id\":1,\"name\":\"Ada\",\"email\":\"ada@example.com\"}").build());
      server.start();
      FanoutAsyncFunction<Long, User> fn = open(server);
      RecordingResultFuture<User> rf = new RecordingResultFuture<>();
      fn.asyncInvoke(1L, rf);
      assertThat(rf.result.get(20, TimeUnit.SECONDS)).singleElement().extracting(User::id).isEqualTo(1L);

      assertThat(server.getRequestCount()).isEqualTo(2);
      assertThat(counter(FanoutMetrics.TOO_MANY_REQUESTS)).isEqualTo(1);
      assertThat(counter(FanoutMetrics.HEDGES_SENT)).isZero();
      assertThat(counter(FanoutMetrics.GOVERNOR_WAITS)).isZero();
      assertThat(counter(FanoutMetrics.GOVERNOR_WAIT_MILLIS)).isZero();
    }
  }

  /** An operator metric group whose metrics land in Flink's test {@link MetricListener}. */
  private static final class ListenedOperatorGroup implements OperatorMetricGroup {
    private final MetricGroup delegate;

    ListenedOperatorGroup(MetricGroup delegate) {
      this.delegate = delegate;
    }

    @Override
    public OperatorIOMetricGroup getIOMetricGroup() {
      return UnregisteredMetricsGroup.createOperatorIOMetricGroup();
    }

    @Override
    public Counter counter(String name) {
      return delegate.counter(name);
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
      return delegate.counter(name, counter);
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
      return delegate.gauge(name, gauge);
    }

    @Override
    public <H extends Histogram> H histogram(String name, H histogram) {
      return delegate.histogram(name, histogram);
    }

    @Override
    public <M extends Meter> M meter(String name, M meter) {
      return delegate.meter(name, meter);
    }

    @Override
    public MetricGroup addGroup(String name) {
      return delegate.addGroup(name);
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
      return delegate.addGroup(key, value);
    }

    @Override
    public String[] getScopeComponents() {
      return delegate.getScopeComponents();
    }

    @Override
    public Map<String, String> getAllVariables() {
      return delegate.getAllVariables();
    }

    @Override
    public String getMetricIdentifier(String metricName) {
      return delegate.getMetricIdentifier(metricName);
    }

    @Override
    public String getMetricIdentifier(String metricName, CharacterFilter filter) {
      return delegate.getMetricIdentifier(metricName, filter);
    }
  }
}
