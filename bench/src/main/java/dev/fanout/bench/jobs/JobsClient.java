package dev.fanout.bench.jobs;

import dev.fanout.common.Labels;
import dev.fanout.common.cli.ParsingConverter;

/** A client the jobs benchmark runs side by side: one row each, in its own process, against a fresh mock. */
public enum JobsClient {
  /** {@code fanout-jobs run} with its defaults. */
  FANOUT_JOBS("fanout-jobs"),
  /** OpenAI's cookbook script {@code api_request_parallel_processor.py}, told the published limits. */
  COOKBOOK("cookbook"),
  /** The official {@code openai} Python client: {@code AsyncOpenAI} under {@code asyncio.gather} and a semaphore. */
  OPENAI_PYTHON("openai-python");

  private final String label;

  JobsClient(String label) {
    this.label = label;
  }

  /** The name on the command line and in the table. */
  public String label() {
    return label;
  }

  /** The client named {@code label}; a clear error listing the names otherwise. */
  public static JobsClient parse(String label) {
    return Labels.parse(JobsClient.class, JobsClient::label, "client", label);
  }

  /** Picocli's converter for {@code --clients}. */
  public static final class Converter extends ParsingConverter<JobsClient> {
    public Converter() {
      super(JobsClient::parse);
    }
  }
}
