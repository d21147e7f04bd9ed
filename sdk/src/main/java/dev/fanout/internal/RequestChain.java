package dev.fanout.internal;

import dev.fanout.FanoutClock;
import dev.fanout.WireLog;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * The stages every request of a client passes inside OkHttp, in order, put into the client's builder by
 * {@link #configure}: the hand-off check, the refused-stream replay, the connection gate, the hand-off check
 * again, the stale-connection replay, and (when on) the wire log; and the event listener that times calls
 * for their traces.
 */
public final class RequestChain {
  private RequestChain() {}

  /**
   * Adds the SDK's interceptors and event listener to {@code ok}, after any it already has.
   *
   * @param callerListeners the event listener factory of the caller's shared OkHttp client, told every event
   *     too; null for none
   * @param pool the connection pool {@code ok} uses (the stale-connection replay evicts from it)
   * @param http2PriorKnowledge whether the client speaks HTTP/2 with prior knowledge over {@code http}
   * @param wire what the wire log shows; {@link WireLog#NONE} adds no wire logger
   * @param clock the client's clock, on which the stale-connection replay reads idle times and the wire log
   *     times exchanges
   */
  public static void configure(OkHttpClient.Builder ok, EventListener.Factory callerListeners, ConnectionPool pool,
      boolean http2PriorKnowledge, WireLog wire, FanoutClock clock) {
    ok.eventListenerFactory(TraceEventListener.factory(callerListeners));
    // Last in both chains: a request that met a stale keep-alive connection is sent again at once when that
    // is safe, without running the caller's own interceptors twice or spending an attempt.
    StaleConnectionReplay replay = new StaleConnectionReplay(pool, clock);
    // Before the replay: a fan-out's first calls to an HTTPS host wait for one connection to learn the
    // protocol, then open only the HTTP/2 connections their streams need (see ConnectionGate).
    ConnectionGate gate = new ConnectionGate(http2PriorKnowledge);
    // Around the connection gate: a request whose call was cancelled, or whose client closed, while it waited
    // in the dispatcher's queue is refused before it waits for a connection, and one that waited in the gate
    // (or is sent again after a refused stream) is asked again before it is written (see HandOff).
    Interceptor handOff = HandOff.interceptor();
    ok.addInterceptor(handOff);
    // Before the gate: a request whose HTTP/2 stream the server refused or left unprocessed by GOAWAY is sent
    // again at once (bounded), without spending an attempt, and each time passes the gate again, so it waits
    // for a free stream under the limit the server announced instead of piling onto a new connection.
    ok.addInterceptor(RefusedStreamReplay.application());
    ok.addInterceptor(gate.application()).addNetworkInterceptor(gate.network());
    // Right after the gate's network interceptor: a request is not written on an HTTP/2 connection whose open
    // streams fill a stream limit the server lowered and OkHttp acknowledged but does not obey yet (see
    // StreamLimitGuard); the replay above sends it again.
    ok.addNetworkInterceptor(StreamLimitGuard.network());
    ok.addInterceptor(handOff);
    ok.addInterceptor(replay.application()).addNetworkInterceptor(replay.network());
    if (wire != WireLog.NONE) {
      ok.addNetworkInterceptor(new WireLogger(wire, clock));
    }
  }
}
