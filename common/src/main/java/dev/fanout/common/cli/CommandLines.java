package dev.fanout.common.cli;

import java.io.PrintWriter;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * How the Fanout command lines (samples, jobs) answer bad usage and failures, in one place. Needs picocli on
 * the classpath, which only the command lines have.
 */
public final class CommandLines {
  private CommandLines() {}

  /**
   * Sets {@code cmd}'s handlers. Bad usage prints the one-line error, picocli's "Did you mean" for a near
   * subcommand if any, then the usage (picocli's default prints a suggestion instead of the usage), and exits
   * with the command's invalid-input code (2). A subcommand that throws prints one line,
   * {@code <root name> <subcommand> failed: <describe(exception)>}, and exits with 1.
   *
   * @return {@code cmd}
   */
  public static CommandLine withFailureHandlers(CommandLine cmd, Function<Exception, String> describe) {
    String name = cmd.getCommandName();
    cmd.setParameterExceptionHandler((ex, args) -> {
      CommandLine failed = ex.getCommandLine();
      PrintWriter err = failed.getErr();
      err.println(ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      failed.usage(err, failed.getColorScheme());
      err.flush();
      return failed.getCommandSpec().exitCodeOnInvalidInput();
    });
    cmd.setExecutionExceptionHandler((e, failed, parseResult) -> {
      failed.getErr().println(name + " " + failed.getCommandName() + " failed: " + describe.apply(e));
      failed.getErr().flush();
      return 1;
    });
    return cmd;
  }
}
