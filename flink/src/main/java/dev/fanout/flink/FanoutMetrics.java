package dev.fanout.flink;

import dev.fanout.FanoutClient;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The metrics a {@link FanoutAsyncFunction} registers on its operator's metric group, in a {@value #GROUP}
 * subgroup, each read from the subtask client's {@link FanoutClient#stats()} when a reporter asks (so no
 * counter is kept twice):
 *
 * <table>
 *   <caption>Fanout metrics per subtask</caption>
 *   <tr><th>Name</th><th>Type</th><th>What it is</th></tr>
 *   <tr><td>{@value #CALLS_IN_FLIGHT}</td><td>gauge</td><td>logical calls started and not finished</td></tr>
 *   <tr><td>{@value #ATTEMPTS_IN_FLIGHT}</td><td>gauge</td><td>HTTP requests sent and not ended</td></tr>
 *   <tr><td>{@value #TOO_MANY_REQUESTS}</td><td>counter</td><td>429 responses</td></tr>
 *   <tr><td>{@value #HEDGES_SENT}</td><td>counter</td><td>backup requests of slow calls</td></tr>
 *   <tr><td>{@value #GOVERNOR_WAITS}</td><td>counter</td><td>times the governor held a call</td></tr>
 *   <tr><td>{@value #GOVERNOR_WAIT_MILLIS}</td><td>counter</td><td>milliseconds calls were held, summed</td></tr>
 *   <tr><td>{@value #REPLAYS}</td><td>counter</td><td>requests sent again because the server never processed them</td></tr>
 * </table>
 */
final class FanoutMetrics {
  static final String GROUP = "fanout";
  static final String CALLS_IN_FLIGHT = "callsInFlight";
  static final String ATTEMPTS_IN_FLIGHT = "attemptsInFlight";
  static final String TOO_MANY_REQUESTS = "tooManyRequests";
  static final String HEDGES_SENT = "hedgesSent";
  static final String GOVERNOR_WAITS = "governorWaits";
  static final String GOVERNOR_WAIT_MILLIS = "governorWaitMillis";
  static final String REPLAYS = "replays";

  private FanoutMetrics() {}

  /** Registers the metrics of {@code client} under {@code operator}'s {@value #GROUP} subgroup. */
  static void register(MetricGroup operator, FanoutClient client) {
    MetricGroup g = operator.addGroup(GROUP);
    g.gauge(CALLS_IN_FLIGHT, (Gauge<Integer>) () -> client.stats().callsInFlight());
    g.gauge(ATTEMPTS_IN_FLIGHT, (Gauge<Integer>) () -> client.stats().attemptsInFlight());
    g.counter(TOO_MANY_REQUESTS, new StatsCounter(() -> client.stats().tooManyRequests()));
    g.counter(HEDGES_SENT, new StatsCounter(() -> client.stats().hedgesSent()));
    g.counter(GOVERNOR_WAITS, new StatsCounter(() -> client.stats().governorWaits()));
    g.counter(GOVERNOR_WAIT_MILLIS, new StatsCounter(() -> client.stats().governorWaitTotal().toMillis()));
    g.counter(REPLAYS, new StatsCounter(() -> client.stats().replays()));
  }


  /** A counter whose count is the client's: it is read, never incremented here. */
  private static final class StatsCounter implements Counter {
    private final LongSupplier count;

    StatsCounter(LongSupplier count) {
      this.count = count;
    }

    @Override
    public void inc() {
      throw new UnsupportedOperationException("a Fanout counter follows the client's stats");
    }

    @Override
    public void inc(long n) {
      throw new UnsupportedOperationException("a Fanout counter follows the client's stats");
    }

    @Override
    public void dec() {
      throw new UnsupportedOperationException("a Fanout counter follows the client's stats");
    }

    @Override
    public void dec(long n) {
      throw new UnsupportedOperationException("a Fanout counter follows the client's stats");
    }

    @Override
    public long getCount() {
      return count.getAsLong();
    }
  }
}
