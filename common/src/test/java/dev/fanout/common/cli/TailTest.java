package dev.fanout.common.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine.TypeConversionException;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TailTest {
  private final Tail.Converter converter = new Tail.Converter();

  @Test
  void readsAShareAndADelayAndWritesThemBackTheSameWay() {
    Tail t = converter.convert(" 0.03 : 3s ");
    assertThat(t).isEqualTo(new Tail(0.03, Duration.ofSeconds(3)));
    assertThat(t).hasToString("0.03:3s");
    assertThat(converter.convert(t.toString())).isEqualTo(t);
    assertThat(converter.convert("0:0")).isEqualTo(Tail.NONE);
  }

  @Test
  void aBadValueIsAConversionErrorNamingIt() {
    assertThatThrownBy(() -> converter.convert("0.03")).isInstanceOf(TypeConversionException.class)
        .hasMessage("'0.03' is not a tail: use P:DURATION, like 0.03:3s");
    assertThatThrownBy(() -> converter.convert("x:3s")).isInstanceOf(TypeConversionException.class)
        .hasMessageStartingWith("'x:3s' is not a tail: its share is not a number");
    assertThatThrownBy(() -> converter.convert("1.5:3s")).isInstanceOf(TypeConversionException.class)
        .hasMessage("'1.5:3s': tail share not in [0, 1]: 1.5");
    assertThatThrownBy(() -> converter.convert("0.03:slow")).isInstanceOf(TypeConversionException.class)
        .hasMessageStartingWith("'slow' is not a duration");
    assertThatThrownBy(() -> converter.convert(null)).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'null' is not a tail");
  }

  @Test
  void theRecordChecksWhatItHolds() {
    assertThatThrownBy(() -> new Tail(-0.1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tail share not in [0, 1]: -0.1");
    assertThatThrownBy(() -> new Tail(0.1, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tail delay < 0");
    assertThatThrownBy(() -> new Tail(0.1, null)).isInstanceOf(NullPointerException.class);
  }
}
