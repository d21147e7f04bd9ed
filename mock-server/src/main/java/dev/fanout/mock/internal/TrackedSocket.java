package dev.fanout.mock.internal;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server-side connection that knows which exchanges it carries, notices when the client goes
 * away, and can be killed without upsetting MockWebServer's connection loop.
 *
 * <ul>
 *   <li>{@link #awaitClientGone(long)} is the delay of an HTTP/1 response: a blocking read with a
 *       timeout, which returns early when the client closes the connection (a cancelled call). A
 *       byte that arrives meanwhile (pipelining) is pushed back for MockWebServer to read.
 *   <li>A failed write aborts the exchanges in flight on this connection and kills it.
 *   <li>A killed connection reads as end-of-stream and swallows writes, so MockWebServer ends its
 *       loop cleanly and forgets the socket (instead of keeping it until the server stops).
 *   <li>It knows the thread serving it ({@link #servedBy}), so {@link Connections} can close it when
 *       that thread's MockWebServer handler crashes on garbage and leaves it open.
 * </ul>
 */
final class TrackedSocket extends Socket {
  private final int index;
  private final Connections registry;
  private final Set<StatsRecorder.Exchange> open = ConcurrentHashMap.newKeySet();
  private volatile boolean killed;
  private volatile Thread server;
  private volatile long lastActivityNanos = System.nanoTime();
  /** Bytes of a request were read and no response has been written since (MockWebServer is parsing it). */
  private volatile boolean requestPending;
  /** A response was written (HTTP/1) or an exchange ended: from then on the connection can be idle. */
  private volatile boolean answered;
  private ProbeInputStream in;
  private KillableOutputStream out;

  private final boolean http1;

  /**
   * {@code http1}: the connection carries one request at a time, so bytes read before a response mean a
   * request is being parsed (on HTTP/2 the client also sends frames between requests: window updates,
   * pings).
   */
  TrackedSocket(int index, Connections registry, boolean http1) {
    this.index = index;
    this.registry = registry;
    this.http1 = http1;
  }

  int index() {
    return index;
  }

  void attach(StatsRecorder.Exchange exchange) {
    open.add(exchange);
    lastActivityNanos = System.nanoTime();
    if (killed) abortOpen();
  }

  void detach(StatsRecorder.Exchange exchange) {
    open.remove(exchange);
    lastActivityNanos = System.nanoTime();
    answered = true;
  }

  /**
   * True while the connection cannot be idle: before its first response (the idle timeout counts from the
   * last response, like Node.js's {@code keepAliveTimeout}), or while a request is being read or answered.
   */
  boolean busy() {
    return !answered || requestPending || !open.isEmpty();
  }

  /** True if the client sent bytes that the server has not read yet (in the kernel's buffer or pushed back). */
  boolean hasUnreadInput() {
    try {
      return !isClosed() && getInputStream().available() > 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@link System#nanoTime()} of the last byte read or written, or exchange started or finished. */
  long lastActivityNanos() {
    return lastActivityNanos;
  }

  private void readSome(int n) {
    if (n > 0) {
      if (http1) requestPending = true;
      lastActivityNanos = System.nanoTime();
    }
  }

  private void wrote() {
    if (http1) {
      requestPending = false;
      answered = true; // on HTTP/1 the server writes nothing but responses
    }
    lastActivityNanos = System.nanoTime();
  }

  /**
   * Waits up to {@code nanos} and returns true early if the client went away (end of stream, reset,
   * or this socket closed). Must be called on the connection's own thread, between reading a request
   * and writing its response (HTTP/1 only). A negative {@code nanos} waits without limit.
   */
  boolean awaitClientGone(long nanos) throws IOException {
    ProbeInputStream probe = (ProbeInputStream) getInputStream();
    long deadline = System.nanoTime() + nanos;
    while (true) {
      if (killed || isClosed()) return true;
      int timeoutMillis;
      if (nanos < 0) {
        timeoutMillis = 0; // forever
      } else {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) return false;
        timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(remaining + 999_999)));
      }
      if (probe.hasPushback()) {
        // The client is sending (pipelining): it is still there; just wait.
        if (nanos < 0) return false;
        sleepNanos(deadline - System.nanoTime());
        return killed || isClosed();
      }
      int previous = getSoTimeout();
      setSoTimeout(timeoutMillis);
      try {
        if (probe.probe() < 0) return true;
      } catch (SocketTimeoutException timeout) {
        if (nanos >= 0 && deadline - System.nanoTime() <= 0) return false;
      } catch (IOException e) {
        return true;
      } finally {
        if (!isClosed()) {
          try {
            setSoTimeout(previous);
          } catch (SocketException ignored) {
            // closed meanwhile
          }
        }
      }
    }
  }

  private static void sleepNanos(long nanos) throws IOException {
    if (nanos <= 0) return;
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  /** Aborts the exchanges on this connection and closes it; reads then see end of stream. */
  void kill() {
    killed = true;
    abortOpen();
    try {
      super.close();
    } catch (IOException ignored) {
      // best effort
    }
    registry.remove(this);
  }

  boolean isKilled() {
    return killed;
  }

  /** True if this connection is open and {@code thread} is the one reading it (its server). */
  boolean servedBy(Thread thread) {
    return server == thread && !killed && !isClosed();
  }

  private int reading(IoRead read) throws IOException {
    server = Thread.currentThread();
    return read.read();
  }

  private int readingBytes(IoRead read) throws IOException {
    int n = reading(read);
    readSome(n);
    return n;
  }

  @FunctionalInterface
  private interface IoRead {
    int read() throws IOException;
  }

  private void abortOpen() {
    for (StatsRecorder.Exchange e : open) {
      e.aborted();
      open.remove(e);
    }
  }

  @Override
  public synchronized InputStream getInputStream() throws IOException {
    if (in == null) in = new ProbeInputStream(super.getInputStream());
    return in;
  }

  @Override
  public synchronized OutputStream getOutputStream() throws IOException {
    if (out == null) out = new KillableOutputStream(super.getOutputStream());
    return out;
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      super.close();
    } finally {
      abortOpen();
      registry.remove(this);
    }
  }

  /** Reads with one byte of pushback, and end-of-stream once the socket is killed. */
  private final class ProbeInputStream extends FilterInputStream {
    private int pushback = -1;

    ProbeInputStream(InputStream delegate) {
      super(delegate);
    }

    boolean hasPushback() {
      return pushback >= 0;
    }

    /** Reads one byte from the wire and keeps it for the next read; -1 at end of stream. */
    int probe() throws IOException {
      int b = reading(super::read);
      if (b >= 0) lastActivityNanos = System.nanoTime();
      if (b >= 0) pushback = b;
      return b;
    }

    @Override
    public int read() throws IOException {
      if (pushback >= 0) {
        int b = pushback;
        pushback = -1;
        return b;
      }
      if (killed) return -1;
      int b = reading(super::read);
      readSome(b >= 0 ? 1 : 0);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) return 0;
      if (pushback >= 0) {
        b[off] = (byte) pushback;
        pushback = -1;
        return 1;
      }
      if (killed) return -1;
      try {
        return readingBytes(() -> super.read(b, off, len));
      } catch (IOException e) {
        if (killed) return -1;
        throw e;
      }
    }

    @Override
    public int available() throws IOException {
      if (killed) return pushback >= 0 ? 1 : 0;
      return super.available() + (pushback >= 0 ? 1 : 0);
    }
  }

  /** Fails over to killing the connection when a write fails; swallows writes once killed. */
  private final class KillableOutputStream extends FilterOutputStream {
    KillableOutputStream(OutputStream delegate) {
      super(delegate);
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (killed) return;
      wrote();
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        kill();
        throw e;
      }
    }

    @Override
    public void flush() throws IOException {
      if (killed) return;
      try {
        out.flush();
      } catch (IOException e) {
        kill();
        throw e;
      }
      wrote();
    }

    @Override
    public void close() throws IOException {
      if (killed) return;
      out.close();
    }
  }
}
