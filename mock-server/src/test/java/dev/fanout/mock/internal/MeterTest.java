package dev.fanout.mock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.common.Durations;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The provider-style meter on a fake clock: refill rate, depth, headers, usage correction. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MeterTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void resetsAreWrittenLikeOpenAi() {
    assertThat(Meter.format(0)).isEqualTo("0s");
    assertThat(Meter.format(1)).isEqualTo("1ms"); // rounded up to the millisecond
    assertThat(Meter.format(Duration.ofMillis(20).toNanos())).isEqualTo("20ms");
    assertThat(Meter.format(Duration.ofMillis(1500).toNanos())).isEqualTo("1.5s");
    assertThat(Meter.format(Duration.ofSeconds(1).toNanos())).isEqualTo("1s");
    assertThat(Meter.format(Duration.ofMinutes(6).toNanos())).isEqualTo("6m0s");
    assertThat(Meter.format(Duration.ofHours(1).toNanos())).isEqualTo("1h0m0s");
    for (String s : new String[] {"0s", "20ms", "1.5s", "6m0s", "1h0m0s"}) assertThat(Durations.parse(s)).isNotNull();
  }

  @Test
  void aPerMinuteLimitIsABucketOneSecondDeepRefilledContinuously() {
    Meter meter = new Meter(6000, 0, Duration.ofSeconds(1), now::get);
    for (int i = 0; i < 100; i++) {
      Meter.Admission a = meter.admit("m", 0, 0);
      assertThat(a.admitted).isTrue();
      assertThat(a.headers.get("x-ratelimit-remaining-requests")).isEqualTo(Long.toString(99 - i));
    }
    Meter.Admission refused = meter.admit("m", 0, 0);
    assertThat(refused.admitted).isFalse();
    assertThat(refused.limit).isEqualTo("requests");
    assertThat(refused.retryNanos).isEqualTo(Duration.ofMillis(10).toNanos());
    assertThat(refused.headers).containsEntry("x-ratelimit-reset-requests", "1s");
    advance(Duration.ofMillis(10));
    assertThat(meter.admit("m", 0, 0).admitted).isTrue();
    assertThat(meter.admit("m", 0, 0).admitted).isFalse();
    advance(Duration.ofSeconds(5)); // never more than the depth
    int admitted = 0;
    while (meter.admit("m", 0, 0).admitted) admitted++;
    assertThat(admitted).isEqualTo(100);
  }

  @Test
  void aDeeperBucketHoldsMore() {
    Meter meter = new Meter(600, 0, Duration.ofMinutes(1), now::get);
    int admitted = 0;
    while (meter.admit("m", 0, 0).admitted) admitted++;
    assertThat(admitted).isEqualTo(600);
    // A small limit still admits one request at a time.
    Meter small = new Meter(6, 0, Duration.ofSeconds(1), now::get);
    assertThat(small.admit("m", 0, 0).admitted).isTrue();
    Meter.Admission next = small.admit("m", 0, 0);
    assertThat(next.admitted).isFalse();
    assertThat(next.retryNanos).isEqualTo(Duration.ofSeconds(10).toNanos());
  }

  @Test
  void tokensAreChargedTheEstimateThenCorrectedToTheUsage() {
    Meter meter = new Meter(0, 60_000, Duration.ofSeconds(1), now::get); // 1,000 tokens deep, 1 per ms
    Meter.Admission first = meter.admit("m", 300, 120);
    assertThat(first.headers).containsEntry("x-ratelimit-remaining-tokens", "700") // the estimate
        .containsEntry("x-ratelimit-limit-tokens", "60000")
        .containsEntry("x-ratelimit-reset-tokens", "300ms")
        .doesNotContainKey("x-ratelimit-limit-requests");
    Meter.Admission second = meter.admit("m", 300, 300);
    assertThat(second.headers).containsEntry("x-ratelimit-remaining-tokens", Long.toString(1000 - 120 - 300));
    meter.admit("m", 300, 300); // level 280
    Meter.Admission refused = meter.admit("m", 300, 300);
    assertThat(refused.admitted).isFalse();
    assertThat(refused.limit).isEqualTo("tokens");
    assertThat(refused.retryNanos).isEqualTo(Duration.ofMillis(20).toNanos());
    assertThat(refused.message).startsWith("Rate limit reached for m in organization org-fanout-mock on tokens per min "
        + "(TPM): Limit 60000, Used 59720, Requested 300. Please try again in 20ms.");
    Meter.Admission tooLarge = meter.admit("m", 60_001, 60_001);
    assertThat(tooLarge.admitted).isFalse();
    assertThat(tooLarge.retryNanos).isZero();
    assertThat(tooLarge.message).startsWith("Request too large for m");
  }

  @Test
  void aRequestLargerThanTheBucketWaitsForAFullBucketAndLeavesItInDebt() {
    Meter meter = new Meter(0, 60_000, Duration.ofSeconds(1), now::get);
    assertThat(meter.admit("m", 1500, 1500).admitted).isTrue(); // level -500
    Meter.Admission next = meter.admit("m", 10, 10);
    assertThat(next.admitted).isFalse();
    assertThat(next.retryNanos).isEqualTo(Duration.ofMillis(510).toNanos());
    assertThat(next.headers).containsEntry("x-ratelimit-remaining-tokens", "0");
  }
}
