package dev.fanout.mock.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.MockServerMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The mock server's CLI: every bad flag or value is one error line naming it, then the usage, exit 2 (and no
 * server started). Extends {@code MockServerMainTest}'s table to every flag that takes a value.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class CliBadFlagsTableTest {

  static Arguments bad(String args, String named) {
    return Arguments.of(args, named);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        bad("--nope", "--nope"),
        bad("stray", "stray"),
        bad("--port", "--port"),
        bad("--port abc", "abc"),
        bad("--port -1", "-1"),
        bad("--port 65536", "65536"),
        bad("--host", "--host"),
        bad("--host  ", "host"),
        bad("--latency fast", "fast"),
        bad("--latency -5ms", "-5ms"),
        bad("--latency 1fortnight", "1fortnight"),
        bad("--jitter wobbly", "wobbly"),
        bad("--jitter normal:-3ms", "-3ms"),
        bad("--jitter lognormal:x", "x"),
        bad("--seed 1.5", "1.5"),
        bad("--seed twelve", "twelve"),
        bad("--error-rate 2", "2"),
        bad("--error-rate -0.1", "-0.1"),
        bad("--error-rate lots", "lots"),
        bad("--disconnect-before-body-rate 1.5", "1.5"),
        bad("--disconnect-during-body-rate NaN", "NaN"),
        bad("--stall-rate 7", "7"),
        bad("--malformed-json-rate -1", "-1"),
        bad("--stall-rate 0.6 --error-rate 0.6", "1.2"),
        bad("--rate-limit -1", "-1"),
        bad("--rate-limit many", "many"),
        bad("--rate-limit-burst -2", "-2"),
        bad("--rpm -1", "-1"),
        bad("--rpm lots", "lots"),
        bad("--tpm -5", "-5"),
        bad("--meter-depth 0", "0"),
        bad("--meter-depth 2m", "2m"),
        bad("--meter-depth soon", "soon"),
        bad("--max-tokens-estimate -1", "-1"),
        bad("--tail 0.03", "0.03"),
        bad("--tail 1.5:3s", "1.5:3s"),
        bad("--tail x:3s", "x:3s"),
        bad("--tail 0.03:slow", "slow"),
        bad("--chat-tokens-per-minute -5", "-5"),
        bad("--time-to-first-token soon", "soon"),
        bad("--per-token-delay -1ms", "-1ms"),
        bad("--max-body-bytes -1", "-1"),
        bad("--max-body-bytes huge", "huge"),
        bad("--idle-timeout", "--idle-timeout"),
        bad("--idle-timeout 5", "needs a unit"),
        bad("--idle-timeout -1s", "-1s"),
        bad("--idle-timeout soon", "soon"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void badFlagIsOneLineNamingTheValueThenUsageAndExitTwo(String args, String named) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = MockServerMain.commandLine(new MockServerMain());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int exit = cli.execute(args.split(" "));

    assertThat(exit).as(args).isEqualTo(MockServerMain.EXIT_USAGE);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines).as(args).hasSizeGreaterThan(1);
    assertThat(lines.get(0)).as(args).startsWith("error: ").contains(named);
    assertThat(lines.get(1)).as(args).startsWith("Usage: fanout-mock-server");
    assertThat(err.toString()).as(args).doesNotContain("Exception", "\tat ");
    assertThat(out.toString()).as(args).isEmpty();
  }

  @Test
  void theTableHasAtLeastThirtyCases() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(30);
  }
}
