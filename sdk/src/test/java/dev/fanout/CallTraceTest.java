package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CallTraceTest {
  @Test
  void aBuiltTraceHasNoPhaseItWasNotGiven() {
    CallTrace trace = CallTrace.builder("GET /users/1").queuedNanos(10).startNanos(20).endNanos(50).attempts(1)
        .statusCode(200).build();
    assertThat(trace.statusCode()).hasValue(200);
    assertThat(trace.startNanos()).hasValue(20);
    assertThat(trace.connectedNanos()).as("a reused connection").isEmpty();
    assertThat(trace.firstByteNanos()).isEmpty();
    assertThat(trace.ok()).isTrue();
    assertThat(trace.durationNanos()).isEqualTo(40);
    assertThat(trace.split()).as("no request times: all in flight").isEqualTo(new CallTrace.Split(0, 0, 40, 0));
    assertThat(trace.governorWaitNanos()).isZero();
  }

  @Test
  void aCallWithoutAResponseHasNoStatus() {
    CallTrace trace = CallTrace.builder("GET /users/1").endNanos(50).attempts(1)
        .outcome(Outcome.Kind.FAILED, java.io.IOException.class).build();
    assertThat(trace.statusCode()).isEmpty();
  }

  @Test
  void theGovernorWaitIsReadFromTheRequestsTimes() {
    CallTrace trace = CallTrace.builder("POST /v1/chat/completions").endNanos(100).attempts(1).statusCode(200)
        .attemptTimes(List.of(CallTrace.Attempt.sent(0, 30, 40, 100))).build();
    assertThat(trace.governorWaitNanos()).isEqualTo(30);
    assertThat(trace.clientQueueNanos()).isEqualTo(10);
    assertThat(trace.inFlightNanos()).isEqualTo(60);
  }

  @Test
  void anAttemptHeldByTheGovernorHasNeitherAnAdmissionNorASend() {
    CallTrace.Attempt held = CallTrace.Attempt.held(0, 100);
    assertThat(held.admitted()).isFalse();
    assertThat(held.sent()).isFalse();
    assertThat(held.governorWaitNanos()).isEqualTo(100);
    assertThat(held.queueNanos()).isZero();
    assertThat(held.inFlightNanos()).isZero();

    CallTrace.Attempt queued = CallTrace.Attempt.queued(0, 10, 100);
    assertThat(queued.enqueuedNanos()).hasValue(10);
    assertThat(queued.sentNanos()).isEmpty();
    assertThat(queued.queueNanos()).isEqualTo(90);
  }

  @Test
  void timesOutOfOrderAreRefusedNamingThem() {
    assertThatThrownBy(() -> CallTrace.Attempt.sent(0, 50, 40, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("enqueued OptionalLong[50], sent OptionalLong[40]");
    assertThatThrownBy(() -> CallTrace.builder("GET /a").queuedNanos(10).endNanos(5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("endNanos 5 < queuedNanos 10");
    assertThatThrownBy(() -> CallTrace.builder("GET /a").outcome(Outcome.Kind.FAILED, null).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errorType must be null exactly on success");
    assertThatThrownBy(() -> CallTrace.builder("GET /a").statusCode(-1).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("statusCode not a 3-digit HTTP status: -1");
    assertThatThrownBy(() -> CallTrace.builder("GET /a").statusCode(1000).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("statusCode not a 3-digit HTTP status: 1000");
  }
}
