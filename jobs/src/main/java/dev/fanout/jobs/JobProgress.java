package dev.fanout.jobs;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of a running job, handed to {@link JobListener#onProgress(JobProgress)} periodically.
 *
 * @param total the requests in the input, if it was checked first (else empty until the input is read)
 * @param skipped requests not sent because the output already had their result
 * @param ok requests answered with a 2xx in this run
 * @param failed requests written with an error status or an error in this run
 * @param inFlight requests sent and not yet complete
 * @param rateLimited 429 responses seen by the client in this run, retries included
 * @param inputTokens {@code usage.prompt_tokens} summed over this run's answers
 * @param outputTokens {@code usage.completion_tokens} summed over this run's answers
 * @param elapsed time since the job started sending
 * @param perSecond requests completed per second, over the last ten seconds
 * @param eta time left at that rate, if the total is known and the rate is not zero
 */
public record JobProgress(OptionalLong total, long skipped, long ok, long failed, int inFlight, long rateLimited,
    long inputTokens, long outputTokens, Duration elapsed, double perSecond, Optional<Duration> eta) {

  /** Requests complete in this run: {@code ok + failed}. */
  public long done() {
    return ok + failed;
  }
}
