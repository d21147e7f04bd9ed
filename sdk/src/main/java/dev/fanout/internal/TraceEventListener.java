package dev.fanout.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Call;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.Protocol;
import okhttp3.Response;

/**
 * Records one attempt's phases into its {@link LogicalCall}. Installed by {@link #factory}, which finds the
 * logical call through the request's tag; calls made without one (a shared client's other users) get the
 * delegate's listener only. Every method only stores a timestamp: none blocks.
 */
public final class TraceEventListener extends EventListener {
  private final LogicalCall<?> owner;
  private final LogicalCall.AttemptTimes times;

  private TraceEventListener(LogicalCall<?> owner, LogicalCall.AttemptTimes times) {
    this.owner = owner;
    this.times = times;
  }

  /** Returns a factory combining the SDK's trace listener with {@code delegate} (a shared client's own). */
  public static EventListener.Factory factory(EventListener.Factory delegate) {
    return call -> {
      EventListener theirs = delegate == null ? EventListener.NONE : delegate.create(call);
      LogicalCall<?> owner = call.request().tag(LogicalCall.class);
      if (owner == null) {
        return theirs;
      }
      EventListener ours = new TraceEventListener(owner, call.request().tag(LogicalCall.AttemptTimes.class));
      return theirs == EventListener.NONE ? ours : ours.plus(theirs);
    };
  }

  // OkHttp fires callStart at enqueue; a call the dispatcher cannot run yet then gets dispatcherQueueStart,
  // and dispatcherQueueEnd when it runs. So an attempt is sent at callStart unless it was queued, then at
  // dispatcherQueueEnd.

  @Override
  public void callStart(Call call) {
    long now = System.nanoTime();
    owner.onAttemptStart(call, now);
    if (times != null) {
      times.callStarted(now);
    }
  }

  @Override
  public void dispatcherQueueStart(Call call, Dispatcher dispatcher) {
    if (times != null) {
      times.queued();
    }
  }

  @Override
  public void dispatcherQueueEnd(Call call, Dispatcher dispatcher) {
    long now = System.nanoTime();
    owner.onAttemptStart(call, now);
    if (times != null) {
      times.dequeued(now);
    }
  }

  @Override
  public void connectEnd(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol) {
    owner.connectedNanos = System.nanoTime();
  }

  @Override
  public void responseHeadersStart(Call call) {
    owner.firstByteNanos = System.nanoTime();
  }

  @Override
  public void responseHeadersEnd(Call call, Response response) {
    owner.statusCode = response.code();
  }

  @Override
  public void callFailed(Call call, IOException ioe) {
    // The outcome is decided by LogicalCall from the callback; nothing to record here.
  }
}
