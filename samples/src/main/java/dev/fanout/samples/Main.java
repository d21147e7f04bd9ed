package dev.fanout.samples;

import dev.fanout.common.cli.CommandLines;
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
    return CommandLines.withFailureHandlers(new CommandLine(new Main()), Exception::toString);
  }

  /** Without a subcommand: say which ones there are (exit 2, as for any other bad usage). */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'seed'");
  }
}
