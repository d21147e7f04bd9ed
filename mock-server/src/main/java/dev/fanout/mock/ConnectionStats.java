package dev.fanout.mock;

/**
 * Connection stats are a snapshot of what a {@link MockBackend}'s server did with connections since it
 * started (never reset: {@link MockBackend#reset()} zeroes only the request {@link Stats}). Every counter
 * is exact; the snapshot as a whole is not atomic.
 *
 * @param accepted connections accepted
 * @param open connections open now
 * @param idleClosed connections the server closed because they stayed idle for the backend's
 *     {@link MockBackend.Builder#idleTimeout idle timeout}
 * @param acceptFailures accepts that failed (for example with {@code Too many open files}) and were
 *     retried after a back-off
 */
public record ConnectionStats(long accepted, int open, long idleClosed, long acceptFailures) {}
