package dev.fanout.internal;

import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Call;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.Protocol;

/**
 * Tells one request's {@link CallEvents.Leg} what OkHttp sees of it: when it started, whether the dispatcher
 * queued it and when it ran, when it connected and when its first response byte arrived. Installed by
 * {@link #factory}, which finds the leg through the request's tag; calls made without one (a shared client's
 * other users) get the delegate's listener only. Its response's status is told by the request's
 * {@link Exchange}, which handles the response. Every method only forwards: none blocks.
 */
final class TraceEventListener extends EventListener {
  private final CallEvents.Leg leg;

  private TraceEventListener(CallEvents.Leg leg) {
    this.leg = leg;
  }

  /** Returns a factory combining the SDK's listener with {@code delegate} (a shared client's own). */
  public static EventListener.Factory factory(EventListener.Factory delegate) {
    return call -> {
      EventListener theirs = delegate == null ? EventListener.NONE : delegate.create(call);
      CallEvents.Leg leg = call.request().tag(CallEvents.Leg.class);
      if (leg == null) {
        return theirs;
      }
      EventListener ours = new TraceEventListener(leg);
      return theirs == EventListener.NONE ? ours : ours.plus(theirs);
    };
  }

  // OkHttp fires callStart at enqueue; a call the dispatcher cannot run yet then gets dispatcherQueueStart,
  // and dispatcherQueueEnd when it runs. So a request is sent at callStart unless it was queued, then at
  // dispatcherQueueEnd.

  @Override
  public void callStart(Call call) {
    leg.callStarted();
  }

  @Override
  public void dispatcherQueueStart(Call call, Dispatcher dispatcher) {
    leg.queued();
  }

  @Override
  public void dispatcherQueueEnd(Call call, Dispatcher dispatcher) {
    leg.dequeued();
  }

  @Override
  public void connectEnd(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol) {
    leg.connected();
  }

  @Override
  public void responseHeadersStart(Call call) {
    leg.firstByte();
  }
}
