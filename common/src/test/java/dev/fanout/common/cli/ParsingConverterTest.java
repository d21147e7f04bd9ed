package dev.fanout.common.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.common.Labels;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine.TypeConversionException;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ParsingConverterTest {
  enum Color {
    RED, GREEN;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Color of(String label) {
      return Labels.parse(Color.class, Color::label, "color", label);
    }
  }

  static final class ColorConverter extends ParsingConverter<Color> {
    ColorConverter() {
      super(Color::of);
    }
  }

  private final ColorConverter converter = new ColorConverter();

  @Test
  void readsAValueWithTheParseFunction() {
    assertThat(converter.convert("green")).isEqualTo(Color.GREEN);
  }

  @Test
  void theParseFunctionsMessageBecomesTheConversionError() {
    assertThatThrownBy(() -> converter.convert("blue")).isInstanceOf(TypeConversionException.class)
        .hasMessageStartingWith("unknown color: 'blue' (expected one of ");
  }

  @Test
  void otherFailuresAreNotTakenForABadValue() {
    ParsingConverter<Color> broken = new ParsingConverter<>(value -> {
      throw new IllegalStateException("bug");
    }) {};
    assertThatThrownBy(() -> broken.convert("red")).isInstanceOf(IllegalStateException.class).hasMessage("bug");
  }
}
