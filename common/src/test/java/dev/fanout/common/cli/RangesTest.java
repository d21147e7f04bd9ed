package dev.fanout.common.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class RangesTest {
  // Built without annotations: the module does not open its packages to picocli's reflection.
  private final CommandLine tool = new CommandLine(CommandSpec.create().name("tool"));
  private final CommandSpec spec = tool.getCommandSpec();

  @Test
  void aValueInRangePasses() {
    assertThatCode(() -> {
      Ranges.check(spec, "--top", 1, 1, 100);
      Ranges.check(spec, "--jitter", 0.5, 0, 3);
      Ranges.atLeast(spec, "--retries", 0, 0);
      Ranges.positive(spec, "--timeout", Duration.ofMillis(1));
    }).doesNotThrowAnyException();
  }

  @Test
  void aValueOutOfRangeIsAUsageErrorNamingTheOptionAndTheValue() {
    assertThatThrownBy(() -> Ranges.check(spec, "--top", 101, 1, 100)).isInstanceOf(ParameterException.class)
        .hasMessage("Invalid value for option '--top': 101 (expected 1 to 100)");
    assertThatThrownBy(() -> Ranges.check(spec, "--jitter", 3.5, 0, 3))
        .hasMessage("Invalid value for option '--jitter': 3.5 (expected 0 to 3)");
    assertThatThrownBy(() -> Ranges.check(spec, "--jitter", Double.NaN, 0, 3))
        .hasMessage("Invalid value for option '--jitter': NaN (expected 0 to 3)");
    assertThatThrownBy(() -> Ranges.atLeast(spec, "--rounds", 0, 1))
        .hasMessage("Invalid value for option '--rounds': 0 < 1");
    assertThatThrownBy(() -> Ranges.positive(spec, "--timeout", Duration.ZERO))
        .hasMessage("Invalid value for option '--timeout': 0 (expected more than 0)");
    assertThatThrownBy(() -> Ranges.positive(spec, "--timeout", Duration.ofMillis(-250)))
        .hasMessage("Invalid value for option '--timeout': -250ms (expected more than 0)");
  }

  @Test
  void theFailureCarriesTheCommandWhoseUsageItPrints() {
    assertThatThrownBy(() -> Ranges.atLeast(spec, "--n", -1, 1))
        .isInstanceOfSatisfying(ParameterException.class, e -> org.assertj.core.api.Assertions
            .assertThat(e.getCommandLine()).isSameAs(tool));
  }
}
