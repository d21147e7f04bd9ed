package dev.fanout.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.jobs.internal.LineParser;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a job did: counts, wall time, tokens, and how close the wall time came to the least the provider's
 * published quota allows.
 *
 * @param total the requests in the input ({@code skipped + ok + failed} when the job ran to the end)
 * @param skipped requests not sent because the output already held their result
 * @param ok requests answered with a 2xx in this run
 * @param failed requests written with an error status or an error in this run
 * @param rateLimited 429 responses the client saw in this run, retries included
 * @param attempts HTTP attempts the client sent in this run, retries included
 * @param inputTokens {@code usage.prompt_tokens} summed over this run's answers
 * @param outputTokens {@code usage.completion_tokens} summed over this run's answers
 * @param wall time from the first request sent to the last result written
 * @param requestsPerMinute the request limit the provider published ({@code x-ratelimit-limit-requests}),
 *     if it did
 * @param tokensPerMinute the token limit the provider published ({@code x-ratelimit-limit-tokens}), if it
 *     did
 * @param quotaMinimum the least time those limits take to admit this run's requests (a bucket one second
 *     deep at the start, refilled at the per-minute rate), if any were published
 * @param stopped whether the job was stopped with requests left to do (its output is resumable): false when
 *     a stop came after the whole input was read and every request read was written
 * @param firstFailure the first result this run wrote that is not a 2xx, if any ({@link JobResult#failure()}
 *     says why)
 */
public record JobSummary(long total, long skipped, long ok, long failed, long rateLimited, long attempts,
    long inputTokens, long outputTokens, Duration wall, OptionalLong requestsPerMinute, OptionalLong tokensPerMinute,
    Optional<Duration> quotaMinimum, boolean stopped, Optional<JobResult> firstFailure) {

  /** Wall time over the quota's minimum, if the provider published limits. */
  public Optional<Double> wallOverQuotaMinimum() {
    return quotaMinimum.filter(m -> !m.isZero()).map(m -> wall.toNanos() / (double) m.toNanos());
  }

  /** Returns whether every request of the input has a 2xx result now (this run's or an earlier one's). */
  public boolean complete() {
    return !stopped && failed == 0;
  }

  /** This summary as a JSON object, for {@code --report-json}. */
  public ObjectNode toJson() {
    ObjectNode o = LineParser.MAPPER.createObjectNode();
    o.put("total", total);
    o.put("skipped", skipped);
    o.put("ok", ok);
    o.put("failed", failed);
    o.put("rate_limited", rateLimited);
    o.put("attempts", attempts);
    o.put("input_tokens", inputTokens);
    o.put("output_tokens", outputTokens);
    o.put("wall_seconds", wall.toNanos() / 1e9);
    if (requestsPerMinute.isPresent()) {
      o.put("limit_requests_per_minute", requestsPerMinute.getAsLong());
    }
    if (tokensPerMinute.isPresent()) {
      o.put("limit_tokens_per_minute", tokensPerMinute.getAsLong());
    }
    quotaMinimum.ifPresent(m -> o.put("quota_minimum_seconds", m.toNanos() / 1e9));
    wallOverQuotaMinimum().ifPresent(r -> o.put("wall_over_quota_minimum", r));
    o.put("stopped", stopped);
    firstFailure.ifPresent(f -> {
      ObjectNode first = o.putObject("first_failure");
      first.put("custom_id", f.customId());
      first.put("reason", f.failure().orElse(""));
    });
    return o;
  }
}
