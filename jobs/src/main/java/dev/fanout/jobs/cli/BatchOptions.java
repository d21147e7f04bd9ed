package dev.fanout.jobs.cli;

import dev.fanout.jobs.BatchJob;
import dev.fanout.jobs.OpenAiBatches;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** What the Batch API commands share: the output (and its state file beside it) and the API. */
final class BatchOptions {
  @Option(names = "--output", required = true, paramLabel = "FILE",
      description = "Results, one a line (OpenAI Batch output JSONL), appended; FILE.batches.json beside it "
          + "records the batches.")
  Path output;

  @Option(names = "--base-url", paramLabel = "URL",
      description = "The API's base URL. Defaults to " + OpenAiBatches.DEFAULT_BASE_URL + ".")
  String baseUrl = OpenAiBatches.DEFAULT_BASE_URL;

  @Option(names = "--api-key", paramLabel = "KEY", description = "The API key. Defaults to $OPENAI_API_KEY.")
  String apiKey;

  OpenAiBatches api() {
    String key = apiKey != null ? apiKey : System.getenv("OPENAI_API_KEY");
    return OpenAiBatches.builder().baseUrl(baseUrl).apiKey(key).build();
  }

  static void printStatuses(List<BatchJob.Status> statuses, PrintWriter out) {
    for (BatchJob.Status s : statuses) {
      BatchJob.Part p = s.part();
      out.printf(Locale.ROOT, "%s  lines %d-%d (%d requests)  %s  %d completed, %d failed%s%n",
          p.batchId().isEmpty() ? "(not submitted)" : p.batchId(), p.firstLine(), p.lastLine(), p.requests(),
          p.status().isEmpty() ? "-" : p.status(), s.completed(), s.failed(), p.fetched() ? ", fetched" : "");
    }
    out.flush();
  }

  static void printFetched(BatchJob.Fetched f, Path output, PrintWriter out) {
    out.printf(Locale.ROOT, "fetched %d batches: %d results appended to %s (%d ok, %d failed)%s%s%n",
        f.fetchedBatches(), f.appended(), output, f.ok(), f.appended() - f.ok(),
        f.pendingBatches() > 0 ? "; " + f.pendingBatches() + " batches still running: fetch again later" : "",
        f.missing() > 0 ? "; " + f.missing() + " requests of ended batches have no result (run them with 'run')"
            : "");
    out.flush();
  }
}
