package dev.fanout.jobs.cli;

import dev.fanout.common.cli.CommandLines;
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
    return CommandLines.withFailureHandlers(new CommandLine(new JobsMain()), Exception::getMessage);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: try 'run'");
  }
}
