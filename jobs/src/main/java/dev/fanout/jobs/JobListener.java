package dev.fanout.jobs;

/**
 * Hears a job's progress. Both methods default to doing nothing; they run on the job's threads and must
 * return quickly.
 */
public interface JobListener {
  /** Called every progress interval while the job runs, and once at its end. */
  default void onProgress(JobProgress progress) {}

  /** Called once per completed request, after its result is written; from the client's threads. */
  default void onResult(JobResult result) {}
}
