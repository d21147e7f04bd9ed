package dev.fanout.samples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The samples' entry point: {@code java -jar fanout-samples.jar <seed|users|rag|agents|batch> [flags]}.
 *
 * <p>Without {@code --base-url} each sample starts an embedded mock server; with it, every call goes to your
 * API. Bad flags print one line of error and the usage, and exit with 2.
 */
@Command(
    name = "fanout-samples",
    mixinStandardHelpOptions = true,
    version = "fanout-samples 0.1.0",
    description = "Fan out latency-bound API calls with the Fanout SDK: runnable samples.",
    subcommands = {SeedSample.class, UsersSample.class, RagSample.class, AgentsSample.class, BatchSample.class},
    footer = {"", "Start with: java -jar samples/target/fanout-samples.jar seed"})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private Main() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * Returns the command line the jar runs, for tests and embedding. A sample that fails outside its calls
   * (the API at {@code --base-url} cannot be reached, say) prints one line naming the failure and exits with 1.
   */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    // Bad usage: the one-line error, picocli's "Did you mean" for a near subcommand if any, then the usage
    // (picocli's default prints a suggestion instead of the usage).
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
      failed.getErr().println("fanout-samples " + failed.getCommandName() + " failed: " + e);
      failed.getErr().flush();
      return 1;
    });
    return cmd;
  }

  /** Without a subcommand: say which ones there are (exit 2, as for any other bad usage). */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'seed'");
  }
}
