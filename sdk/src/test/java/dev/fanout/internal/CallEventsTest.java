package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.CallTrace;
import dev.fanout.Outcome;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.telemetry.StatsTelemetry;
import dev.fanout.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call's {@link CallEvents}, driven by hand on a {@link FakeClock}: every fact is told once, and the call's
 * trace (its {@link CallRecorder}) and the client's stats ({@link StatsTelemetry}) are both fed by that one
 * telling, so they report the same hedges, replays, governor waits and status, each wait measured once.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class CallEventsTest {
  private static final Duration HELD = Duration.ofMillis(300);

  private final FakeClock clock = FakeClock.create();
  private final StatsTelemetry stats = new StatsTelemetry();
  private final List<CallTrace> traces = new CopyOnWriteArrayList<>();
  private final Request request = new Request.Builder().url("http://127.0.0.1:9/users/7").build();

  private CallEvents call() {
    return new CallEvents(clock, stats, request, null, traces::add);
  }

  /** A permit as the gate gives it: {@code waited} is how long it held the request. */
  private static AttemptGate.Permit permit(Duration waited) {
    return new AttemptGate.Permit() {
      @Override
      public void onResponse(Response response) {}

      @Override
      public void onFailure(Throwable error) {}

      @Override
      public Duration waited() {
        return waited;
      }
    };
  }

  @Test
  void aHedgedCallWithAGovernorWaitAndAReplayIsTheSameInItsTraceAndInTheStats() {
    CallEvents events = call();
    long made = clock.nanoTime();
    CallEvents.Leg first = events.asking(1, 0);
    clock.advance(HELD);
    first.admitted(permit(HELD));
    first.handedOff(request.newBuilder());
    first.callStarted();
    clock.advance(Duration.ofMillis(200));
    CallEvents.Leg hedge = events.asking(1, 1);
    hedge.admitted(permit(Duration.ZERO));
    Request.Builder sent = request.newBuilder();
    hedge.handedOff(sent);
    assertThat(sent.build().tag(CallEvents.Leg.class)).as("the request carries its leg").isSameAs(hedge);
    hedge.callStarted();
    hedge.replayed();
    clock.advance(Duration.ofMillis(50));
    hedge.firstByte();
    hedge.responded(200, okhttp3.Protocol.HTTP_1_1);
    hedge.took();
    first.responded(503, okhttp3.Protocol.HTTP_1_1); // the loser's answer, after the attempt took the hedge's: not the call's status
    first.ended(new FanoutCancelledException("lost the race"));
    hedge.ended(null);
    events.ended("GET /users/7", 1, null, null);

    assertThat(traces).hasSize(1);
    CallTrace trace = traces.get(0);
    assertThat(trace.outcome()).isEqualTo(Outcome.Kind.SUCCEEDED);
    assertThat(trace.statusCode()).hasValue(200);
    assertThat(trace.hedgesSent()).isEqualTo(1).isEqualTo((int) stats.hedgesSent());
    assertThat(trace.hedgesWon()).isEqualTo(1);
    assertThat(trace.replays()).isEqualTo(1).isEqualTo((int) stats.replays());
    assertThat(trace.attemptTimes()).hasSize(2);
    assertThat(trace.attemptTimes().get(0).governorWaitNanos()).isEqualTo(HELD.toNanos())
        .isEqualTo(stats.governorWaitNanos());
    assertThat(trace.attemptTimes().get(1).governorWaitNanos()).isZero();
    assertThat(stats.governorWaits()).isEqualTo(1);
    assertThat(stats.attemptsStarted()).as("the attempt and its hedge").isEqualTo(2);
    assertThat(stats.attemptsInFlight()).isZero();
    assertThat(stats.callsInFlight()).isZero();
    assertThat(trace.startNanos()).as("the first request left the client's queue once the governor let it go")
        .hasValue(made + HELD.toNanos());
    assertThat(trace.firstByteNanos()).hasValue(made + HELD.toNanos() + Duration.ofMillis(250).toNanos());
    assertThat(trace.connectedNanos()).as("no connect was told: a reused connection").isEmpty();
  }

  @Test
  void aWaitTheCallsEndCutsShortIsOneGovernorWaitWhateverEndsItsRequestAfter() {
    CallEvents events = call();
    CallEvents.Leg waiting = events.asking(1, 0);
    clock.advance(Duration.ofSeconds(1));
    events.ended("GET /users/7", 0, new FanoutTimeoutException("deadline", Duration.ofSeconds(1)), null);
    waiting.ended(new FanoutCancelledException("admission cancelled")); // the gate's cancel, arriving after

    CallTrace trace = traces.get(0);
    assertThat(trace.attemptTimes()).singleElement().satisfies(a -> {
      assertThat(a.admitted()).isFalse();
      assertThat(a.governorWaitNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
    });
    assertThat(trace.governorWaitNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
    assertThat(stats.governorWaits()).isEqualTo(1);
    assertThat(stats.governorWaitNanos()).isEqualTo(trace.governorWaitNanos());
    assertThat(stats.attemptsStarted()).as("nothing was sent").isZero();
  }

  @Test
  void aRequestTheGateRefusesAfterAWaitCountsThatWaitOnceInBoth() {
    CallEvents events = call();
    CallEvents.Leg refused = events.asking(1, 0);
    clock.advance(Duration.ofMillis(200));
    refused.ended(new FanoutTimeoutException("the governor cannot admit it in time", Duration.ofSeconds(1)));
    clock.advance(Duration.ofMillis(5));
    events.ended("GET /users/7", 0, new FanoutTimeoutException("deadline", Duration.ofSeconds(1)), null);

    CallTrace trace = traces.get(0);
    assertThat(trace.attemptTimes().get(0).governorWaitNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
    assertThat(stats.governorWaits()).isEqualTo(1);
    assertThat(stats.governorWaitNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
  }

  @Test
  void aNewAttemptForgetsThePhasesOfTheOneBefore() {
    CallEvents events = call();
    CallEvents.Leg first = events.asking(1, 0);
    first.admitted(permit(Duration.ZERO));
    first.handedOff(request.newBuilder());
    first.connected();
    first.firstByte();
    first.responded(503, okhttp3.Protocol.HTTP_1_1);
    first.ended(null);
    CallEvents.Leg retry = events.asking(2, 0);
    retry.admitted(permit(Duration.ZERO));
    retry.handedOff(request.newBuilder());
    retry.ended(new java.io.IOException("reset"));
    events.ended("GET /users/7", 2, new dev.fanout.errors.TransportException("reset", new java.io.IOException("reset")), null);

    CallTrace trace = traces.get(0);
    assertThat(trace.statusCode()).as("the retry got no response").isEmpty();
    assertThat(trace.connectedNanos()).isEmpty();
    assertThat(trace.firstByteNanos()).isEmpty();
    assertThat(trace.attempts()).isEqualTo(2).isEqualTo((int) stats.attemptsStarted());
  }

  @Test
  void noTraceIsBuiltWhenNobodyReadsIt() {
    CallEvents events = new CallEvents(clock, stats, request, null, null);
    CallEvents.Leg leg = events.asking(1, 0);
    leg.admitted(permit(Duration.ZERO));
    leg.handedOff(request.newBuilder());
    leg.ended(null);
    events.ended("GET /users/7", 1, null, null);

    assertThat(traces).isEmpty();
    assertThat(stats.callsInFlight()).isZero();
    assertThat(stats.attemptsStarted()).isEqualTo(1);
  }
}
