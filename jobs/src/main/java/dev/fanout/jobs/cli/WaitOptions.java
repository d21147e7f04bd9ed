package dev.fanout.jobs.cli;

import dev.fanout.common.cli.DurationConverter;
import dev.fanout.jobs.BatchJob;
import dev.fanout.jobs.OpenAiBatches;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** What the commands that can wait for their batches share: {@code --wait} and how often it polls. A picocli mixin. */
final class WaitOptions {
  @Option(names = "--wait", description = "Poll until every batch has ended, then fetch. Defaults to false.")
  boolean await;

  @Option(names = "--poll-interval", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "With --wait, time between status reads. Defaults to 30s.")
  Duration pollInterval = BatchJob.DEFAULT_POLL_INTERVAL;

  /**
   * Fetches the results of {@code job}'s ended batches into {@code output} and prints what was appended; with
   * {@code --wait}, first polls until every batch has ended, printing the statuses at each poll.
   */
  BatchJob.Fetched fetch(BatchJob job, OpenAiBatches api, Path output, PrintWriter out) throws InterruptedException {
    BatchJob.Fetched f = await ? job.await(api, pollInterval, s -> BatchOptions.printStatuses(s, out)) : job.fetch(api);
    BatchOptions.printFetched(f, output, out);
    return f;
  }
}
