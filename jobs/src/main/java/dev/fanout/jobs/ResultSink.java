package dev.fanout.jobs;

/**
 * Where a job writes its results, and what it already holds: a job sends only the requests whose
 * {@code custom_id} the sink does not {@linkplain #contains(String) contain}. {@link ResultFile} is the
 * file form; implement this for a database or a queue.
 *
 * <p>{@link #write(JobResult)} is called from the client's threads, concurrently, once per completed
 * request: it must be thread-safe and quick (a line to a file, a row to a buffer), since a slow sink holds
 * a request's slot.
 */
public interface ResultSink {
  /** Returns whether the sink already holds a result for {@code customId} (from an earlier run). */
  boolean contains(String customId);

  /** Stores one result; called once per completed request. */
  void write(JobResult result);
}
