package dev.fanout.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class DurationsTest {

  @ParameterizedTest
  @CsvSource({
      "0, 0",
      "250ms, 250000000",
      "1s, 1000000000",
      "1.5s, 1500000000",
      "2m, 120000000000",
      "1h, 3600000000000",
      "6m0s, 360000000000",
      "1m30.5s, 90500000000",
      "20ms, 20000000",
      "100us, 100000",
      "100µs, 100000",
      "7ns, 7",
      ".5s, 500000000",
      "1S, 1000000000",
      "' 2s ', 2000000000",
      "PT2S, 2000000000",
      "PT0.25S, 250000000",
  })
  void parsesTheGrammar(String text, long nanos) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "250ms", "1s", "1.5s", "2m", "1m30s", "1h2m3s", "100us", "7ns", "1.000000001s"})
  void formatReadsBack(String text) {
    Duration d = Durations.parse(text);
    assertThat(Durations.format(d)).isEqualTo(text);
    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }

  @Test
  void rejectsWhatIsNotADurationNamingIt() {
    assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("'5' needs a unit");
    assertThatThrownBy(() -> Durations.parse("fast")).hasMessageContaining("'fast'");
    assertThatThrownBy(() -> Durations.parse("-1s")).hasMessageContaining("negative");
    assertThatThrownBy(() -> Durations.parse("PT-1S")).hasMessageContaining("negative");
    assertThatThrownBy(() -> Durations.parse("1s5")).hasMessageContaining("'1s5'");
    assertThatThrownBy(() -> Durations.parse("")).hasMessageContaining("invalid duration");
    assertThatThrownBy(() -> Durations.parse(null)).hasMessage("duration == null");
    assertThatThrownBy(() -> Durations.parse("99999999999h")).hasMessageContaining("too long");
    assertThatThrownBy(() -> Durations.parse("1d")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void requireNonNegativeNamesTheOption() {
    assertThat(Durations.requireNonNegative(Duration.ofSeconds(1), "latency")).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> Durations.requireNonNegative(null, "latency")).hasMessage("latency == null");
    assertThatThrownBy(() -> Durations.requireNonNegative(Duration.ofSeconds(-1), "latency"))
        .hasMessage("latency < 0: PT-1S");
  }
}
