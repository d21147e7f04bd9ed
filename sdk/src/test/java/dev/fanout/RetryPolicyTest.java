package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RetryPolicyTest {

  @Test
  void exponentialBackoffWithoutJitterIsExact() {
    RetryPolicy p = RetryPolicy.builder()
        .initialBackoff(Duration.ofMillis(100)).maxBackoff(Duration.ofMillis(350)).multiplier(2).jitter(0).build();
    assertThat(p.backoff(1, null)).isEqualTo(Duration.ofMillis(100));
    assertThat(p.backoff(2, null)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.backoff(3, null)).isEqualTo(Duration.ofMillis(350));
    assertThat(p.backoff(30, null)).isEqualTo(Duration.ofMillis(350));
  }

  @RepeatedTest(20)
  void jitterOnlyShortensWithinItsFraction() {
    RetryPolicy p = RetryPolicy.builder().initialBackoff(Duration.ofSeconds(1)).jitter(0.25).build();
    assertThat(p.backoff(1, null)).isBetween(Duration.ofMillis(750), Duration.ofSeconds(1));
  }

  @Test
  void retryAfterIsHonouredUpToTheCap() {
    RetryPolicy p = RetryPolicy.builder().retryAfterCap(Duration.ofSeconds(30)).build();
    assertThat(p.backoff(1, Duration.ofSeconds(2))).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.backoff(1, Duration.ofDays(7))).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.backoff(1, Duration.ZERO)).isEqualTo(Duration.ZERO);
  }

  @Test
  void aRetryAfterOverMaxRetryAfterIsRefusedAndZeroLiftsTheLimit() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.maxRetryAfter()).isEqualTo(RetryPolicy.DEFAULT_MAX_RETRY_AFTER).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.refusesRetryAfter(null)).isFalse();
    assertThat(p.refusesRetryAfter(Duration.ofSeconds(60))).isFalse();
    assertThat(p.refusesRetryAfter(Duration.ofSeconds(61))).isTrue();
    RetryPolicy lifted = p.newBuilder().maxRetryAfter(Duration.ZERO).build();
    assertThat(lifted.refusesRetryAfter(Duration.ofDays(7))).isFalse();
    assertThat(lifted.newBuilder().build().maxRetryAfter()).isEqualTo(Duration.ZERO);
  }

  @Test
  void noneMakesOneAttemptAndNewBuilderCopies() {
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
    RetryPolicy p = RetryPolicy.defaults().newBuilder().maxAttempts(5).build();
    assertThat(p.maxAttempts()).isEqualTo(5);
    assertThat(p.initialBackoff()).isEqualTo(RetryPolicy.DEFAULT_INITIAL_BACKOFF);
  }

  @Test
  void retryAfterReadsMillisecondsFirstThenSecondsThenAnHttpDateAgainstTheResponsesDate() {
    dev.fanout.testing.FakeClock clock = dev.fanout.testing.FakeClock.create();
    assertThat(RetryPolicy.retryAfter(okhttp3.Headers.of("retry-after-ms", "1500", "retry-after", "9"), clock))
        .hasValue(Duration.ofMillis(1500));
    assertThat(RetryPolicy.retryAfter(okhttp3.Headers.of("retry-after", "9"), clock)).hasValue(Duration.ofSeconds(9));
    assertThat(RetryPolicy.retryAfter(okhttp3.Headers.of("date", "Wed, 21 Oct 2026 07:28:00 GMT",
        "retry-after", "Wed, 21 Oct 2026 07:28:30 GMT"), clock)).hasValue(Duration.ofSeconds(30));
    assertThat(RetryPolicy.retryAfter(okhttp3.Headers.of("retry-after", "soon"), clock)).isEmpty();
    assertThat(RetryPolicy.retryAfter(okhttp3.Headers.of(), clock)).isEmpty();
  }
}
