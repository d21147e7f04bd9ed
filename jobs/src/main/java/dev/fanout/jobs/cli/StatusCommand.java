package dev.fanout.jobs.cli;

import dev.fanout.jobs.BatchJob;
import dev.fanout.jobs.OpenAiBatches;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code status}: each submitted batch's status and counts. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Print the status of the batches submitted for --output.")
final class StatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  BatchOptions batch;

  private StatusCommand() {}

  @Override
  public Integer call() {
    BatchJob job = BatchJob.resume(batch.output);
    try (OpenAiBatches api = batch.api()) {
      BatchOptions.printStatuses(job.status(api), spec.commandLine().getOut());
      return 0;
    }
  }
}
