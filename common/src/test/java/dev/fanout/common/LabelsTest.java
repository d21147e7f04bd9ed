package dev.fanout.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class LabelsTest {
  enum Colour {
    DARK_RED("dark-red"),
    BLUE("blue");

    final String label;

    Colour(String label) {
      this.label = label;
    }
  }

  @Test
  void findsTheConstantByItsLabelTrimmedAndInLowerCase() {
    assertThat(Labels.parse(Colour.class, c -> c.label, "colour", "dark-red")).isEqualTo(Colour.DARK_RED);
    assertThat(Labels.parse(Colour.class, c -> c.label, "colour", " Blue ")).isEqualTo(Colour.BLUE);
  }

  @Test
  void anUnknownLabelNamesTheBadValueAndTheKnownOnes() {
    assertThatThrownBy(() -> Labels.parse(Colour.class, c -> c.label, "colour", "DARK_RED"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown colour: 'DARK_RED' (expected one of dark-red, blue)");
  }

  @Test
  void nullIsRefusedByName() {
    assertThatThrownBy(() -> Labels.parse(Colour.class, c -> c.label, "colour", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("colour == null");
  }
}
