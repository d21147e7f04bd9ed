package dev.fanout.samples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine.TypeConversionException;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ParsingTest {
  @Test
  void idRangesKeepTheOrderTheyAreWrittenIn() {
    assertThat(IdRanges.parse("1-3,10,7-8").ids()).containsExactly(1L, 2L, 3L, 10L, 7L, 8L);
    assertThat(IdRanges.parse(" 5 ").ids()).containsExactly(5L);
    assertThat(IdRanges.parse("1-1000,2000,3000-3010").ids()).hasSize(1000 + 1 + 11);
  }

  @Test
  void badIdRangesNameTheBadPart() {
    assertBadIds("", "no ids given");
    assertBadIds("1,,2", "empty entry in '1,,2'");
    assertBadIds("1-x", "'1-x' in '1-x' is not an id or a range");
    assertBadIds("abc", "'abc' in 'abc' is not an id");
    assertBadIds("0-5", "id 0 in '0-5' is below 1");
    assertBadIds("-5", "id -5 in '-5' is below 1");
    assertBadIds("9-3", "range '9-3' runs backwards: write 3-9");
    assertBadIds("1-5,3", "id 3 appears twice in '1-5,3'");
    assertBadIds("1-2000000", "more than 1000000 ids");
  }

  private static void assertBadIds(String text, String message) {
    assertThatThrownBy(() -> IdRanges.parse(text)).isInstanceOf(TypeConversionException.class).hasMessageContaining(message);
  }

  @Test
  void durationsAsPeopleTypeThem() {
    assertThat(DurationConverter.parse("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(DurationConverter.parse("0ms")).isEqualTo(Duration.ZERO);
    assertThat(DurationConverter.format(Duration.ofSeconds(1))).isEqualTo("1s");
    assertThat(DurationConverter.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(DurationConverter.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
  }

  @Test
  void badDurationsNameTheValue() {
    for (String bad : List.of("", "1", "fast", "-1s", "1 sec", "1d")) {
      assertThatThrownBy(() -> DurationConverter.parse(bad))
          .isInstanceOf(TypeConversionException.class)
          .hasMessageContaining("'" + bad + "' is not a duration");
    }
    assertThatThrownBy(() -> DurationConverter.parse("25h")).hasMessageContaining("'25h' is too long");
  }

  @Test
  void ordinals() {
    assertThat(List.of(1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112).stream().map(Ordinals::of))
        .containsExactly("1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th");
  }

  @Test
  void orderedLinesHoldBackLinesUntilTheirTurn() {
    StringWriter text = new StringWriter();
    OrderedLines lines = new OrderedLines(new PrintWriter(text), List.of("a", "b", "c", "d"));
    lines.print("b", "B");
    lines.print("d", "D");
    assertThat(text.toString()).isEmpty();
    lines.print("a", "A");
    assertThat(text.toString().lines()).containsExactly("A", "B");
    lines.flush();
    assertThat(text.toString().lines()).containsExactly("A", "B", "D");
    assertThatThrownBy(() -> lines.print("z", "Z")).hasMessageContaining("unexpected line key: z");
  }
}
