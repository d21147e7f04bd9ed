package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Stats;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A report tells queued from in flight (issue 14, defect 6): with {@code maxInFlight(4)} and 20 lookups of
 * 200 ms, the report used to say "speed-up 11.84x, peak 20 in flight" while the server saw at most 4. Now
 * its peak in flight is what the server saw, its speed-up is in-flight time over wall time (about 4, and
 * never above the peak), and the time the calls waited in the client's queue is reported apart.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class QueuedVsInFlightTest {
  private static final Duration LATENCY = Duration.ofMillis(200);
  private static final long MS = 1_000_000;

  @Test
  void aFanOutQueuedByMaxInFlightReportsTheServersPeakAndTheSpeedUpOfItsRequests() {
    try (MockBackend backend = MockBackend.start(Latency.fixed(LATENCY));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(4).build()) {
      List<Long> ids = LongStream.rangeClosed(1, 20).boxed().toList();
      FanoutFuture<List<User>> run = Fanout.all(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults());
      assertThat(run.await()).hasSize(20);
      FanoutReport report = run.report();
      Stats server = backend.stats();

      assertThat(server.maxInFlight()).isEqualTo(4);
      assertThat(report.peakConcurrency()).as("sent and unanswered, as the server saw").isEqualTo(4);
      assertThat(report.peakInputs()).isGreaterThanOrEqualTo(report.peakConcurrency());
      // Every request was in flight at least the server's latency, and the attempts lie inside the wall time,
      // so in flight / wall can never exceed the peak: about 4, not the 11.8 that queue time made it.
      assertThat(report.entries()).allSatisfy(e -> {
        assertThat(e.inFlight()).isGreaterThanOrEqualTo(LATENCY).isLessThanOrEqualTo(e.duration());
        assertThat(e.calls()).singleElement().satisfies(c -> assertThat(c.attemptTimes()).singleElement()
            .satisfies(a -> assertThat(a.sent()).isTrue()));
      });
      assertThat(report.inFlightTime()).isGreaterThanOrEqualTo(LATENCY.multipliedBy(20));
      assertThat(report.speedUp()).isLessThanOrEqualTo(4.0).isGreaterThan(2.0);
      // Four slots of at least 200 ms: the calls sent 5th to 8th waited at least 200 ms, 9th to 12th 400 ms, ...
      assertThat(report.queuedTime()).isGreaterThanOrEqualTo(Duration.ofMillis(4 * (200 + 400 + 600 + 800) - 500));
      assertThat(report.sumOfCallTimes()).isGreaterThan(report.inFlightTime()); // what the old speed-up divided
      assertThat(report.toString()).contains("peak 4 in flight");
      assertThat(report.toJson()).contains("\"peakConcurrency\" : 4", "\"inFlightMillis\"", "\"queuedMillis\"",
          "\"sentMillis\"");
      System.out.printf("RELIABILITY queued vs in flight: %s; server max in flight %d; old speed-up (sum / wall) %.2fx%n",
          report.toString().lines().findFirst().orElseThrow(), server.maxInFlight(),
          (double) report.sumOfCallTimes().toNanos() / report.wall().toNanos());
    }
  }

  /** The arithmetic on recorded times alone: two slots, four calls of 100 ms, the last two queued 100 ms. */
  @Test
  void queuedInFlightPeakAndSpeedUpComeFromTheAttemptTimes() {
    long t0 = 1_000 * MS;
    List<FanoutReport.Entry> entries = List.of(
        entry(0, t0, 0, 0, 100),
        entry(1, t0, 0, 0, 100),
        entry(2, t0, 0, 100, 200),
        entry(3, t0, 0, 100, 200));
    FanoutReport report = new FanoutReport("all", t0, 200 * MS, true, 4, entries, GovernorReport.NONE);

    assertThat(report.peakConcurrency()).isEqualTo(2);
    assertThat(report.peakInputs()).isEqualTo(4);
    assertThat(report.inFlightTime()).isEqualTo(Duration.ofMillis(400));
    assertThat(report.queuedTime()).isEqualTo(Duration.ofMillis(200));
    assertThat(report.sumOfCallTimes()).isEqualTo(Duration.ofMillis(600));
    assertThat(report.speedUp()).isEqualTo(2.0);
    assertThat(report.entries().get(2).queued()).isEqualTo(Duration.ofMillis(100));
    assertThat(report.entries().get(2).inFlight()).isEqualTo(Duration.ofMillis(100));
  }

  /** A retried call is in flight only while an attempt is: not during its backoff, nor while queued again. */
  @Test
  void aBackoffBetweenAttemptsIsNeitherInFlightNorQueued() {
    long t0 = 0;
    CallTrace call = CallTrace.builder("GET /users/1").queuedNanos(t0).startNanos(t0).endNanos(500 * MS)
        .attempts(2).statusCode(200)
        .attemptTimes(List.of(CallTrace.Attempt.sent(0, 0, 0, 100 * MS),
            CallTrace.Attempt.sent(300 * MS, 300 * MS, 350 * MS, 500 * MS)))
        .build();
    FanoutReport.Entry entry = new FanoutReport.Entry(0, "user 1", 0, 500 * MS, 2, Outcome.Kind.SUCCEEDED, null,
        List.of(call));
    FanoutReport report = new FanoutReport("all", t0, 500 * MS, true, 1, List.of(entry), GovernorReport.NONE);

    assertThat(call.inFlightNanos()).isEqualTo(250 * MS);
    assertThat(call.clientQueueNanos()).isEqualTo(50 * MS);
    assertThat(report.inFlightTime()).isEqualTo(Duration.ofMillis(250));
    assertThat(report.queuedTime()).isEqualTo(Duration.ofMillis(50));
    assertThat(report.speedUp()).isEqualTo(0.5);
    assertThat(report.peakConcurrency()).isEqualTo(1);
  }

  /** An input that made no call through a client (a task of the caller's) counts its whole run as in flight. */
  @Test
  void anInputWithoutCallsCountsItsRunAsInFlight() {
    FanoutReport.Entry a = new FanoutReport.Entry(0, "a", 0, 100 * MS, 1, Outcome.Kind.SUCCEEDED, null, List.of());
    FanoutReport.Entry b = new FanoutReport.Entry(1, "b", 50 * MS, 150 * MS, 1, Outcome.Kind.SUCCEEDED, null, List.of());
    FanoutReport report = new FanoutReport("all", 0, 150 * MS, true, 2, List.of(a, b), GovernorReport.NONE);
    assertThat(report.peakConcurrency()).isEqualTo(2);
    assertThat(report.inFlightTime()).isEqualTo(Duration.ofMillis(200));
    assertThat(report.queuedTime()).isEqualTo(Duration.ofMillis(50)); // b started 50 ms after the fan-out
  }

  private static FanoutReport.Entry entry(int index, long t0, long enqueuedMs, long sentMs, long endMs) {
    long enqueued = t0 + enqueuedMs * MS;
    CallTrace call = CallTrace.builder("GET /users/" + index).queuedNanos(enqueued).startNanos(t0 + sentMs * MS)
        .endNanos(t0 + endMs * MS).attempts(1).statusCode(200)
        .attemptTimes(List.of(CallTrace.Attempt.sent(enqueued, enqueued, t0 + sentMs * MS, t0 + endMs * MS)))
        .build();
    return new FanoutReport.Entry(index, "user " + index, 0, endMs * MS, 1, Outcome.Kind.SUCCEEDED, null,
        List.of(call));
  }
}
