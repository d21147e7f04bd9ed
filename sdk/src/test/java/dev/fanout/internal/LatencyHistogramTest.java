package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class LatencyHistogramTest {

  @Test
  void percentilesAreWithinOnePercentOfTheExactValues() {
    // A long-tailed latency shape: log-normal around 50 ms, from microseconds to seconds.
    Random random = new Random(42);
    int n = 200_000;
    long[] values = new long[n];
    LatencyHistogram histogram = new LatencyHistogram();
    for (int i = 0; i < n; i++) {
      values[i] = (long) (50e6 * Math.exp(random.nextGaussian() * 1.5));
      histogram.record(values[i]);
    }
    Arrays.sort(values);
    for (double p : new double[] {1, 10, 50, 90, 99, 99.9, 99.99}) {
      long exact = values[(int) Math.ceil(p / 100 * n) - 1];
      long estimate = histogram.percentile(p).toNanos();
      assertThat((double) Math.abs(estimate - exact) / exact).as("p%s: %d vs exact %d", p, estimate, exact)
          .isLessThanOrEqualTo(1.0 / 128);
    }
    assertThat(histogram.percentile(100).toNanos()).isEqualTo(values[n - 1]);
    assertThat(histogram.percentile(0).toNanos()).isEqualTo(values[0]);
    assertThat(histogram.count()).isEqualTo(n);
    assertThat(histogram.max().toNanos()).isEqualTo(values[n - 1]);
    assertThat(histogram.mean().toNanos())
        .isCloseTo((long) Arrays.stream(values).average().orElseThrow(), org.assertj.core.data.Offset.offset(1L));
  }

  @Test
  void smallValuesAreExactAndBucketsTileTheRange() {
    LatencyHistogram histogram = new LatencyHistogram();
    for (long v = 0; v < 64; v++) {
      histogram.record(v);
    }
    assertThat(histogram.percentile(50)).isEqualTo(Duration.ofNanos(31));
    long expectedLower = 0;
    for (int b = 0; b < LatencyHistogram.BUCKETS; b++) {
      assertThat(LatencyHistogram.lowerBound(b)).as("bucket %d", b).isEqualTo(expectedLower);
      assertThat(LatencyHistogram.bucketOf(expectedLower)).isEqualTo(b);
      long upper = expectedLower + LatencyHistogram.width(b) - 1;
      assertThat(LatencyHistogram.bucketOf(upper)).isEqualTo(b);
      expectedLower = upper + 1; // overflows to Long.MIN_VALUE after the last bucket
    }
    assertThat(expectedLower).isEqualTo(Long.MIN_VALUE);
    assertThat(LatencyHistogram.bucketOf(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
  }

  @Test
  void anEmptyHistogramReadsZeroAndBadPercentilesAreNamed() {
    LatencyHistogram histogram = new LatencyHistogram();
    assertThat(histogram.percentile(99)).isEqualTo(Duration.ZERO);
    assertThat(histogram.min()).isEqualTo(Duration.ZERO);
    assertThat(histogram.mean()).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> histogram.percentile(101))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("percentile out of range [0..100]: 101.0");
  }

  @Test
  void aCopyIsIndependent() {
    LatencyHistogram histogram = new LatencyHistogram();
    histogram.record(1_000);
    LatencyHistogram copy = histogram.copy();
    histogram.record(5_000_000);
    assertThat(copy.count()).isEqualTo(1);
    assertThat(copy.max()).isEqualTo(Duration.ofNanos(1_000));
  }
}
