package dev.fanout.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class QuotasTest {

  @Test
  void requestLimitAdmitsOneSecondsWorthAtOnceThenRefillsPerSecond() {
    // 6,000/min = 100/s: the first 100 at once, the other 900 over 9 s.
    assertThat(Quotas.minimumSeconds(1000, 0, 6000, 0)).isEqualTo(9.0);
    assertThat(Quotas.minimumSeconds(50, 0, 6000, 0)).isZero();
  }

  @Test
  void tokenLimitCountsTokensPerCall() {
    // 1,000 calls x 28 tokens = 28,000 tokens at 2,500/s: 2,500 at once, the rest over 10.2 s.
    assertThat(Quotas.minimumSeconds(1000, 28, 0, 150_000)).isCloseTo(10.2, within(1e-9));
    assertThat(Quotas.minimumSeconds(1000, 0, 0, 150_000)).isZero();
  }

  @Test
  void theTighterLimitBinds() {
    assertThat(Quotas.minimumSeconds(1000, 28, 6000, 150_000)).isCloseTo(10.2, within(1e-9));
  }

  @Test
  void noLimitTakesNoTime() {
    assertThat(Quotas.minimumSeconds(1_000_000, 30, 0, 0)).isZero();
  }
}
