package dev.fanout.common.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DurationConverterTest {
  @Test
  void readsTheOneGrammar() {
    assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(DurationConverter.parse("1s")).isEqualTo(Duration.ofSeconds(1));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(DurationConverter.parse("0")).isEqualTo(Duration.ZERO);
  }

  @Test
  void aBadValueIsAConversionErrorNamingIt() {
    assertThatThrownBy(() -> DurationConverter.parse("12")).isInstanceOf(TypeConversionException.class)
        .hasMessageStartingWith("'12' is not a duration: use a number and a unit");
    assertThatThrownBy(() -> DurationConverter.parse("-1s")).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'-1s'").hasMessageContaining("negative");
    assertThatThrownBy(() -> DurationConverter.parse(null)).isInstanceOf(TypeConversionException.class)
        .hasMessage("duration == null");
  }

  @Test
  void asAnOptionsConverterABadValueIsAUsageErrorAndAGoodOneIsSet() {
    CommandSpec spec = CommandSpec.create()
        .addOption(OptionSpec.builder("--for").type(Duration.class).converters(new DurationConverter()).build());
    CommandLine cli = new CommandLine(spec);

    assertThatThrownBy(() -> cli.parseArgs("--for", "soon")).isInstanceOf(ParameterException.class)
        .hasMessageContaining("'soon' is not a duration");
    assertThat(cli.parseArgs("--for", "3s").matchedOptionValue("--for", Duration.ZERO)).isEqualTo(Duration.ofSeconds(3));
  }
}
