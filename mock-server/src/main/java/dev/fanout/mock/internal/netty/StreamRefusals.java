package dev.fanout.mock.internal.netty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Which HTTP/2 streams a backend turns away unprocessed, shared by all its connections: the first {@code
 * refused} streams it receives ({@code RST_STREAM REFUSED_STREAM}), and on each connection every stream after
 * the first {@code goAwayAfter} ({@code GOAWAY}). See {@code MockBackend.Builder#refusedStreams} and
 * {@code #goAwayAfterStreams}.
 */
final class StreamRefusals {
  private final AtomicLong refusalsLeft;
  private final int goAwayAfter;

  StreamRefusals(long refused, int goAwayAfter) {
    this.refusalsLeft = new AtomicLong(refused);
    this.goAwayAfter = goAwayAfter;
  }

  /** Returns true if the stream just received is to be refused; counts it. */
  boolean refuseNext() {
    return refusalsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
  }

  /** Returns true if a connection that has processed {@code processed} streams sends GOAWAY for the next. */
  boolean goAwayAfter(int processed) {
    return goAwayAfter > 0 && processed >= goAwayAfter;
  }
}
