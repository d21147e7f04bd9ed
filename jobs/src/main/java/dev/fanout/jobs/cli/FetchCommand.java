package dev.fanout.jobs.cli;

import dev.fanout.jobs.BatchJob;
import dev.fanout.jobs.OpenAiBatches;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code fetch}: the results of the ended batches appended to the output. */
@Command(name = "fetch", mixinStandardHelpOptions = true,
    description = "Append the results of every ended batch to --output (each custom_id once); with --wait, poll "
        + "until all have ended first.")
final class FetchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  BatchOptions batch;

  @Mixin
  WaitOptions wait;

  private FetchCommand() {}

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    BatchJob job = BatchJob.resume(batch.output);
    try (OpenAiBatches api = batch.api()) {
      BatchJob.Fetched f = wait.fetch(job, api, batch.output, out);
      return f.pendingBatches() == 0 && f.missing() == 0 && f.appended() == f.ok() ? 0 : 1;
    }
  }
}
