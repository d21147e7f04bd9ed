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
 * Tells one request's {@link CallRecorder} of its phases. Installed by {@link #factory}, which finds the
 * recorder through the request's tag; calls made without one (a shared client's other users) get the
 * delegate's listener only. Every method only stores a reading of the client's clock: none blocks.
 */
final class TraceEventListener extends EventListener {
  private final CallRecorder recorder;
  private final CallRecorder.AttemptTimes times;

  private TraceEventListener(CallRecorder recorder, CallRecorder.AttemptTimes times) {
    this.recorder = recorder;
    this.times = times;
  }

  /** Returns a factory combining the SDK's trace listener with {@code delegate} (a shared client's own). */
  public static EventListener.Factory factory(EventListener.Factory delegate) {
    return call -> {
      EventListener theirs = delegate == null ? EventListener.NONE : delegate.create(call);
      CallRecorder recorder = call.request().tag(CallRecorder.class);
      if (recorder == null) {
        return theirs;
      }
      EventListener ours = new TraceEventListener(recorder, call.request().tag(CallRecorder.AttemptTimes.class));
      return theirs == EventListener.NONE ? ours : ours.plus(theirs);
    };
  }

  // OkHttp fires callStart at enqueue; a call the dispatcher cannot run yet then gets dispatcherQueueStart,
  // and dispatcherQueueEnd when it runs. So an attempt is sent at callStart unless it was queued, then at
  // dispatcherQueueEnd.

  @Override
  public void callStart(Call call) {
    long now = recorder.now();
    recorder.requestStarted(times, now);
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
    long now = recorder.now();
    recorder.requestStarted(times, now);
    if (times != null) {
      times.dequeued(now);
    }
  }

  @Override
  public void connectEnd(Call call, InetSocketAddress address, Proxy proxy, Protocol protocol) {
    recorder.connected();
  }

  @Override
  public void responseHeadersStart(Call call) {
    recorder.firstByte();
  }

  @Override
  public void responseHeadersEnd(Call call, Response response) {
    recorder.status(response.code());
  }

  @Override
  public void callFailed(Call call, IOException ioe) {
    // The outcome is decided by the call's exchange from the callback; nothing to record here.
  }
}
