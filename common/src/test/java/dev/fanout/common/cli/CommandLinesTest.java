package dev.fanout.common.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class CommandLinesTest {

  private final StringWriter err = new StringWriter();
  private final int[] count = new int[1];

  private CommandLine cli() {
    // Built without annotations: the module does not open its packages to picocli's reflection.
    CommandSpec boom = CommandSpec.wrapWithoutInspection((Runnable) () -> {
      throw new IllegalStateException("count was " + count[0]);
    });
    boom.addOption(OptionSpec.builder("--count").type(int.class).setter(new CommandLine.Model.ISetter() {
      @Override
      public <T> T set(T value) {
        count[0] = (Integer) value;
        return null;
      }
    }).build());
    CommandSpec tool = CommandSpec.wrapWithoutInspection((Runnable) () -> { }).name("tool");
    tool.addSubcommand("boom", new CommandLine(boom));
    CommandLine cmd = CommandLines.withFailureHandlers(new CommandLine(tool), Exception::getMessage);
    cmd.setErr(new PrintWriter(err));
    return cmd;
  }

  @Test
  void badUsagePrintsTheErrorASuggestionAndTheUsageThenExits2() {
    int code = cli().execute("bom");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("Unmatched argument at index 0: 'bom'")
        .contains("Did you mean: tool boom?")
        .contains("Usage: tool");
  }

  @Test
  void aBadFlagOfASubcommandPrintsThatSubcommandsUsage() {
    int code = cli().execute("boom", "--count", "many");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("'many' is not an int").contains("Usage: tool boom");
  }

  @Test
  void aFailingSubcommandPrintsOneLineNamingItThenExits1() {
    int code = cli().execute("boom", "--count", "3");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("tool boom failed: count was 3" + System.lineSeparator());
  }
}
