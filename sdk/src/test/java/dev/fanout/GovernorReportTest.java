package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A governor report reads as people read it: seconds, the quota beside the pace, no raw {@code Duration}. */
@Timeout(10)
class GovernorReportTest {
  @Test
  void readsInSecondsWithTheQuotaBesideThePace() {
    GovernorReport.Limit limit =
        new GovernorReport.Limit(GovernorReport.Dimension.REQUESTS, 600, Duration.ofMinutes(1), 15.0, 5.0);
    GovernorReport report = new GovernorReport(0, 200, Duration.ofNanos(1_826_867_472_185L),
        Duration.ofMillis(19_800), List.of(new GovernorReport.Bucket("api.openai.com:443", "gpt-4o-mini",
            OptionalInt.of(14), 0, 200, List.of(limit))));

    assertThat(limit.sustainedPerSecond()).isEqualTo(10.0);
    assertThat(report.toString())
        .isEqualTo("GovernorReport{429s 0, 200 calls waited 1826.867 s in all, longest 19.800 s, buckets "
            + "[api.openai.com:443 gpt-4o-mini: at most 14 in flight, 200 admitted, 0 answered 429, "
            + "requests 600 per 1 min (10.00/s), pacing 15.00/s now, 5 left]}")
        .doesNotContain("PT");
  }

  @Test
  void aLimitWithoutAWindowOrCountSaysOnlyWhatIsKnown() {
    GovernorReport.Limit limit = new GovernorReport.Limit(GovernorReport.Dimension.INPUT_TOKENS, -1, Duration.ZERO,
        2.5, Double.NaN);
    assertThat(limit.sustainedPerSecond()).isNaN();
    assertThat(limit.toString()).isEqualTo("input tokens, pacing 2.50/s now");
    assertThat(new GovernorReport.Limit(GovernorReport.Dimension.TOKENS, 90, Duration.ofSeconds(30), 3, 1).toString())
        .isEqualTo("tokens 90 per 30 s (3.00/s), pacing 3.00/s now, 1 left");
    assertThatThrownBy(() -> new GovernorReport.Limit(GovernorReport.Dimension.TOKENS, 1, null, 1, 1))
        .hasMessage("window == null");
  }
}
