package dev.fanout.mock.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** How a response waits: until a deadline, or until the client or the server goes away first. */
interface Pause {
  /**
   * Waits up to {@code nanos} (forever if negative); returns true early if the client went away or
   * the backend is closing.
   */
  boolean clientGone(long nanos) throws IOException;

  /** Waits on an HTTP/1 connection, noticing a client that closes it. */
  static Pause of(TrackedSocket socket) {
    return socket::awaitClientGone;
  }

  /** Waits until the backend closes (HTTP/2 streams, where the socket is shared). */
  static Pause untilClosed(CountDownLatch closing) {
    return nanos -> {
      try {
        if (nanos < 0) {
          closing.await();
          return true;
        }
        return closing.await(nanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while delaying a response");
      }
    };
  }
}
