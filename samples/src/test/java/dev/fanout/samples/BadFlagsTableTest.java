package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Bad flags and values on every subcommand: one line of error naming the bad value, then the usage, exit 2,
 * nothing on stdout and no stack trace. Extends {@code SamplesCommandTest#badFlagsPrintOneLineAndUsageAndExitTwo}
 * to a table over every flag that takes a value.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class BadFlagsTableTest {

  static Arguments bad(String args, String named) {
    return Arguments.of(args, named);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        bad("", "Missing subcommand"),
        bad("nosuch", "nosuch"),
        bad("--nope", "--nope"),
        bad("seed --latency fast", "'fast'"),
        bad("seed --latency -1s", "-1s"),
        bad("seed --latency 99h", "99h"),
        bad("seed --latency", "--latency"),
        bad("seed --jitter wobbly", "wobbly"),
        bad("seed --base-url localhost:8080", "'localhost:8080'"),
        bad("seed --base-url ftp://files.example", "ftp://files.example"),
        bad("seed --base-url http://", "'--base-url'"),
        bad("seed --ca-cert no-such-ca.pem", "'--ca-cert'"),
        bad("users --api-key sk-\u00e9t\u00e9", "--api-key"),
        bad("seed --timeline out.png", "'out.png'"),
        bad("seed --extra-flag", "--extra-flag"),
        bad("seed positional", "positional"),
        bad("users --ids 10-5", "'10-5'"),
        bad("users --ids 1,x", "'x'"),
        bad("users --ids ,", "','"),
        bad("users --ids 0-3", "0"),
        bad("users --max-in-flight 0", "0"),
        bad("users --max-in-flight -3", "-3"),
        bad("users --max-in-flight many", "many"),
        bad("users --retries -1", "-1"),
        bad("users --mode fastest", "fastest"),
        bad("users --rounds 0", "--rounds"),
        bad("users --rounds x", "--rounds"),
        bad("users --pause -1s", "--pause"),
        bad("users --pause later", "--pause"),
        bad("users --deadline soon", "soon"),
        bad("rag --top 0", "0"),
        bad("rag --top 101", "101"),
        bad("rag --user-id 0", "0"),
        bad("rag -k many", "many"),
        bad("rag --keep 0", "'--keep': 0"),
        bad("rag --deadline 0", "'--deadline': 0"),
        bad("agents --agents 9", "9"),
        bad("agents --agents x", "x"),
        bad("agents --max-parallel 0", "'--max-parallel': 0"),
        bad("agents --timeout 0", "'--timeout': 0"),
        bad("batch --provider claude", "'claude'"),
        bad("rag --provider anthropic", "rag does not call a model on Anthropic's Messages API"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("cases")
  void badFlagIsOneLineNamingTheValueThenUsageAndExitTwo(String args, String named) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    String[] argv = args.isEmpty() ? new String[0] : args.split(" ");

    int exit = cmd.execute(argv);

    assertThat(exit).as(args).isEqualTo(2);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines).as(args).hasSizeGreaterThan(1);
    assertThat(lines.get(0)).as(args).contains(named);
    // picocli may suggest a near subcommand on its own line ("Did you mean: fanout-samples batch?").
    int usage = lines.get(1).startsWith("Did you mean") ? 2 : 1;
    assertThat(lines.get(usage)).as(args).startsWith("Usage:");
    assertThat(err.toString()).as(args).doesNotContain("Exception", "\tat ");
    assertThat(out.toString()).as(args).isEmpty();
  }

  @Test
  void theTableHasAtLeastThirtyCases() {
    assertThat(cases().count()).isGreaterThanOrEqualTo(30);
  }
}
