package dev.fanout.internal.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The stats telemetry and the tee, hook by hook. */
@Timeout(10)
class StatsTelemetryTest {

  @Test
  void countsEachHookAndEndsEachScopeOnce() {
    StatsTelemetry stats = new StatsTelemetry();
    Telemetry.CallScope call = stats.callStarted(null);
    Telemetry.AttemptScope first = call.attemptStarted(1);
    first.responded(429);
    first.ended(null);
    first.ended(null); // ignored
    call.governorWait(Duration.ofMillis(30));
    Telemetry.AttemptScope second = call.attemptStarted(2);
    Telemetry.AttemptScope hedge = call.hedgeSent(3);
    assertThat(stats.callsInFlight()).isEqualTo(1);
    assertThat(stats.attemptsInFlight()).isEqualTo(2);

    second.responded(200);
    second.ended(null);
    hedge.ended(new RuntimeException("cancelled: the other attempt won"));
    call.ended(null, null);
    call.ended(null, null); // ignored

    assertThat(stats.callsInFlight()).isZero();
    assertThat(stats.attemptsInFlight()).isZero();
    assertThat(stats.callsStarted()).isEqualTo(1);
    assertThat(stats.attemptsStarted()).isEqualTo(3);
    assertThat(stats.hedgesSent()).isEqualTo(1);
    assertThat(stats.tooManyRequests()).isEqualTo(1);
    assertThat(stats.governorWaits()).isEqualTo(1);
    assertThat(stats.governorWaitNanos()).isEqualTo(Duration.ofMillis(30).toNanos());
    assertThat(stats.isEnabled()).as("it reads no call arguments").isFalse();
  }

  @Test
  void aFanoutScopeMakesCountedCallScopes() {
    StatsTelemetry stats = new StatsTelemetry();
    Telemetry.FanoutScope fanout = stats.fanoutStarted("all", 2, OptionalInt.empty());
    Telemetry.CallScope a = fanout.callStarted(null);
    assertThat(stats.callsInFlight()).isEqualTo(1);
    a.ended(null, null);
    fanout.ended(1, 0, 0, null);
    assertThat(stats.callsInFlight()).isZero();
  }

  @Test
  void theTeeReportsEveryHookToBothAndNoopDropsOut() {
    StatsTelemetry stats = new StatsTelemetry();
    Recording recording = new Recording();
    assertThat(Telemetry.tee(stats, Telemetry.noop())).isSameAs(stats);
    assertThat(Telemetry.tee(Telemetry.noop(), stats)).isSameAs(stats);
    Telemetry tee = Telemetry.tee(stats, recording);
    assertThat(tee.isEnabled()).isTrue();

    Telemetry.FanoutScope fanout = tee.fanoutStarted("all", 1, OptionalInt.of(1));
    Telemetry.CallScope call = fanout.callStarted(null);
    call.governorWait(Duration.ofMillis(5));
    Telemetry.AttemptScope attempt = call.hedgeSent(2);
    attempt.responded(429);
    attempt.ended(null);
    call.firstChunk();
    call.ended(null, null);
    fanout.ended(1, 0, 0, null);

    assertThat(recording.events).containsExactly(
        "fanout all", "call", "governorWait PT0.005S", "hedge 2", "responded 429", "attempt ended", "firstChunk",
        "call ended", "fanout ended 1/0/0");
    assertThat(stats.hedgesSent()).isEqualTo(1);
    assertThat(stats.tooManyRequests()).isEqualTo(1);
    assertThat(stats.callsInFlight()).isZero();
  }

  /** A telemetry that writes down what it hears. */
  private static final class Recording implements Telemetry, Telemetry.FanoutScope, Telemetry.CallScope,
      Telemetry.AttemptScope {
    final List<String> events = new ArrayList<>();

    @Override
    public boolean isEnabled() {
      return true;
    }

    @Override
    public FanoutScope fanoutStarted(String combinator, int size, OptionalInt bound) {
      events.add("fanout " + combinator);
      return this;
    }

    @Override
    public CallScope callStarted(CallInfo call) {
      events.add("call");
      return this;
    }

    @Override
    public void ended(int succeeded, int failed, int cancelled, Throwable error) {
      events.add("fanout ended " + succeeded + "/" + failed + "/" + cancelled);
    }

    @Override
    public AttemptScope attemptStarted(int n) {
      events.add("attempt " + n);
      return this;
    }

    @Override
    public AttemptScope hedgeSent(int n) {
      events.add("hedge " + n);
      return this;
    }

    @Override
    public void governorWait(Duration waited) {
      events.add("governorWait " + waited);
    }

    @Override
    public void firstChunk() {
      events.add("firstChunk");
    }

    @Override
    public void ended(Throwable error, GenAiResponse response) {
      events.add("call ended");
    }

    @Override
    public void inject(okhttp3.Request.Builder request) {}

    @Override
    public void responded(int statusCode, okhttp3.Protocol protocol) {
      events.add("responded " + statusCode);
    }

    @Override
    public void ended(Throwable error) {
      events.add("attempt ended");
    }
  }
}
