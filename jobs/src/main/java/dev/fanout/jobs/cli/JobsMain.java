package dev.fanout.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The jobs CLI: {@code java -jar fanout-jobs.jar <run|submit|status|fetch> [flags]}. {@code run} sends a file
 * of requests in real time through the rate-limit governor; {@code submit}, {@code status} and {@code fetch}
 * hand it to the provider's Batch API. Bad flags print one line of error and the usage, and exit with 2.
 */
@Command(
    name = "fanout-jobs",
    mixinStandardHelpOptions = true,
    version = "fanout-jobs 0.2.0",
    description = "Run a file of API requests (OpenAI's Batch JSONL): in real time under the key's rate limits, "
        + "resumable after a crash, or through the provider's Batch API.",
    subcommands = {RunCommand.class, SubmitCommand.class, StatusCommand.class, FetchCommand.class})
public final class JobsMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private JobsMain() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line the jar runs, for tests and embedding. */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new JobsMain());
    cmd.setParameterExceptionHandler((ex, args) -> {
      CommandLine failed = ex.getCommandLine();
      java.io.PrintWriter err = failed.getErr();
      err.println(ex.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
      failed.usage(err, failed.getColorScheme());
      err.flush();
      return failed.getCommandSpec().exitCodeOnInvalidInput();
    });
    cmd.setExecutionExceptionHandler((e, failed, parseResult) -> {
      failed.getErr().println("fanout-jobs " + failed.getCommandName() + " failed: " + e.getMessage());
      failed.getErr().flush();
      return 1;
    });
    return cmd;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'run'");
  }
}
