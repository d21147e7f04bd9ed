package dev.fanout.internal;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

/** One call's admission through the {@link ConnectionGate}; its kind changes under the host's lock. */
final class GateTicket {
  enum Kind {
    /** The host's first call: learns the protocol. */
    SCOUT,
    /** Admitted above the host's streams to open a connection. */
    OPENER,
    /** Holds an HTTP/2 stream until its response body is closed. */
    STREAM,
    /** Holds nothing (HTTP/1.1, or released). */
    PASS
  }

  private final GateHost host;
  Kind kind;
  /** The lane this call goes on; null for the host's first address (the client's own). */
  final GateLane lane;
  /** For a call admitted to a stream: the connection's seat it is on its way to. */
  final GateSeat target;
  /** The seat of the connection this call was given; null before. */
  GateSeat seat;
  private final AtomicBoolean done = new AtomicBoolean();

  GateTicket(GateHost host, Kind kind) {
    this(host, kind, null, null);
  }

  GateTicket(GateHost host, Kind kind, GateLane lane, GateSeat target) {
    this.host = host;
    this.kind = kind;
    this.lane = lane;
    this.target = target;
  }

  /** {@code chain}, on this call's lane. */
  Interceptor.Chain onLane(Interceptor.Chain chain) {
    return lane == null ? chain : chain.withDns(lane);
  }

  void connected(Connection connection) {
    host.connected(this, connection);
  }

  void failed(Throwable e) {
    if (done.compareAndSet(false, true)) host.ended(this, e);
  }

  boolean holdsStream() {
    host.lock.lock();
    try {
      if (seat == null) {
        // answered without the network interceptor seeing a connection (a cache, or an interceptor's own reply)
        if (done.compareAndSet(false, true)) host.ended(this, new IOException("answered without a connection"));
        return false;
      }
      return kind == Kind.STREAM;
    } finally {
      host.lock.unlock();
    }
  }

  void release() {
    if (done.compareAndSet(false, true)) host.ended(this, null);
  }

  /** The response, with a body that releases this ticket's stream when closed or read to the end. */
  Response releaseOnClose(Response response) {
    ResponseBody body = response.body();
    return response.newBuilder().body(new ReleasingBody(body, this)).build();
  }

  /** A response body that releases its call's stream when closed (or read to the end). */
  private static final class ReleasingBody extends ResponseBody {
    private final ResponseBody delegate;
    private final GateTicket ticket;
    private final BufferedSource source;

    ReleasingBody(ResponseBody delegate, GateTicket ticket) {
      this.delegate = delegate;
      this.ticket = ticket;
      Source forwarding = new ForwardingSource(delegate.source()) {
        @Override
        public long read(Buffer sink, long byteCount) throws IOException {
          long n = super.read(sink, byteCount);
          if (n == -1) ticket.release();
          return n;
        }

        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            ticket.release();
          }
        }
      };
      this.source = Okio.buffer(forwarding);
    }

    @Override
    public MediaType contentType() {
      return delegate.contentType();
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public BufferedSource source() {
      return source;
    }
  }
}
