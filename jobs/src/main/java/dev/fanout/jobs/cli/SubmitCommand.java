package dev.fanout.jobs.cli;

import dev.fanout.jobs.BatchJob;
import dev.fanout.jobs.InvalidInputException;
import dev.fanout.jobs.JobInput;
import dev.fanout.jobs.OpenAiBatches;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code submit}: the input uploaded to the provider's Batch API, split into batches as its limits require. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    description = {"Upload --input to the provider's Batch API (half price, results within 24 h): one batch per "
        + "50,000 requests or 200 MB, completion window 24h. With --wait, poll until every batch has ended and "
        + "fetch the results into --output.",
        "Rerun after a crash: only parts without a batch are submitted."})
final class SubmitCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  BatchOptions batch;

  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "Requests, one a line (OpenAI Batch input JSONL), all POST.")
  Path input;

  @Mixin
  WaitOptions wait;

  private SubmitCommand() {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Optional<String> unreadable = InputFiles.unreadable(input);
    if (unreadable.isPresent()) {
      spec.commandLine().getErr().println("fanout-jobs submit: " + unreadable.get());
      return 2;
    }
    BatchJob job = BatchJob.of(JobInput.of(input), batch.output);
    try (OpenAiBatches api = batch.api()) {
      List<BatchJob.Part> parts;
      try {
        parts = job.submit(api);
      } catch (InvalidInputException e) {
        spec.commandLine().getErr().println("fanout-jobs submit: " + e.getMessage());
        return 2;
      }
      out.printf("%d batches submitted (state in %s)%n", parts.size(), job.stateFile());
      for (BatchJob.Part p : parts) {
        out.printf("  %s  lines %d-%d, %d requests to %s%n", p.batchId(), p.firstLine(), p.lastLine(), p.requests(),
            p.endpoint());
      }
      out.flush();
      if (!wait.await) {
        out.println("Check with 'status --output " + batch.output + "', then 'fetch --output " + batch.output + "'.");
        return 0;
      }
      BatchJob.Fetched f = wait.fetch(job, api, batch.output, out);
      return f.appended() == f.ok() && f.missing() == 0 ? 0 : 1;
    }
  }
}
