package dev.fanout.internal;

import dev.fanout.Deadline;
import dev.fanout.FanoutContext;
import dev.fanout.HedgePolicy;
import dev.fanout.RetryPolicy;
import okhttp3.Request;

/**
 * What one logical call is, decided once by {@link HttpEngine#start} before it runs: the request (with the
 * call's own headers), its label, the handler of its response, its deadline, retry and hedging policies and the
 * fan-out it belongs to. Immutable; the call's stages read it and never change it.
 *
 * @param route the hedger's key for the call's latencies (host, port, method, path with ids as {@code *});
 *     empty when the call is not hedged
 * @param idempotent the caller marked the call idempotent (so a {@code POST} may be hedged)
 */
record CallSpec<T>(
    Request request,
    String label,
    LogicalCall.Handler<T> handler,
    Deadline deadline,
    RetryPolicy policy,
    FanoutContext context,
    CallScope scope,
    HedgePolicy hedging,
    String route,
    boolean idempotent) {}
