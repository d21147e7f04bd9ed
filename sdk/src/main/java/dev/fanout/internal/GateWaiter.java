package dev.fanout.internal;

import static dev.fanout.internal.ConnectionGate.POLL_NANOS;
import static dev.fanout.internal.ConnectionGate.SETTINGS_POLL_NANOS;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Interceptor;

/**
 * A call waiting in a {@link GateHost}'s queue. It parks without the host's lock until the host admits or
 * fails it, and looks every {@link ConnectionGate#POLL_NANOS} whether its call was cancelled; the head of the
 * queue also polls the SETTINGS wait when told to.
 */
final class GateWaiter {
  /** The scout round it waits for while the protocol is unknown; -1 after. */
  final long round;
  private final Thread thread = Thread.currentThread();
  private volatile GateTicket ticket;
  private volatile Throwable failure;
  private volatile boolean pollSettings;

  GateWaiter(long round) {
    this.round = round;
  }

  void admit(GateTicket admitted) {
    ticket = admitted;
    LockSupport.unpark(thread);
  }

  void fail(Throwable scoutFailure) {
    failure = scoutFailure != null ? scoutFailure : new IOException("the first connection failed");
    LockSupport.unpark(thread);
  }

  void settingsPolled() {
    pollSettings = false;
  }

  void pollSettings() {
    if (!pollSettings) {
      pollSettings = true;
      LockSupport.unpark(thread);
    }
  }

  GateTicket await(GateHost host, Interceptor.Chain chain) throws IOException {
    while (true) {
      GateTicket admitted = ticket;
      if (admitted != null) return admitted;
      Throwable failed = failure;
      if (failed != null) throw new IOException(host.failureMessage(failed), failed);
      boolean interrupted = Thread.currentThread().isInterrupted();
      if (interrupted || chain.call().isCanceled()) {
        if (host.withdraw(this)) {
          if (interrupted) {
            throw new InterruptedIOException("interrupted while waiting for a connection to " + host.key);
          }
          throw new IOException("Canceled");
        }
        continue; // admitted or failed meanwhile: take that (a cancelled call is refused before it is written)
      }
      if (pollSettings) {
        LockSupport.parkNanos(this, SETTINGS_POLL_NANOS);
        host.pollSettings(this);
      } else {
        LockSupport.parkNanos(this, POLL_NANOS);
      }
    }
  }
}
