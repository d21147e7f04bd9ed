package dev.fanout.bench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The jobs benchmark's quota minimum: the figure the metered table divides every row's wall by. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class JobsCommandTest {
  @Test
  void theQuotaMinimumIsTheRefillOfWhatTheBucketDoesNotHoldPlusOneLatency() {
    JobsCommand jobs = new JobsCommand();
    jobs.latency = Duration.ofMillis(500);
    jobs.rpm = 6000;
    jobs.n = 10_000; // 100 at once, then 100/s: 99 s, plus 0.5 s
    assertThat(jobs.quotaMinimumSeconds()).isEqualTo(99.5);
    jobs.n = 50; // all within the first second's bucket: the latency alone
    assertThat(jobs.quotaMinimumSeconds()).isEqualTo(0.5);
  }
}
