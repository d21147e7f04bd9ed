package dev.fanout.bench.metered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The metered benchmark's quota minimum: the figure every row's wall is divided by. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class MeteredCommandTest {
  @Test
  void theQuotaMinimumIsTheRefillOfWhatTheBucketDoesNotHoldPlusOneLatency() {
    // Issue 11: 1,000 at 6,000/min one second deep (100 at once, 100/s), 0.5 s each: 9 s + 0.5 s.
    assertThat(MeteredCommand.quotaMinimumSeconds(1000, 0, 6000, 0, 0.5)).isEqualTo(9.5);
    // Token-bound: 1,000 x 28 tokens at 150,000/min (2,500/s, 2,500 at once): 10.2 s + 0.5 s.
    assertThat(MeteredCommand.quotaMinimumSeconds(1000, 28, 0, 150_000, 0.5)).isCloseTo(10.7, org.assertj.core.data.Offset.offset(1e-9));
    // Both: the tighter bound wins.
    assertThat(MeteredCommand.quotaMinimumSeconds(1000, 28, 6000, 150_000, 0.5)).isCloseTo(10.7, org.assertj.core.data.Offset.offset(1e-9));
  }
}
