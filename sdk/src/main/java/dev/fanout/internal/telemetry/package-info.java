/**
 * The SDK's telemetry seam ({@link dev.fanout.internal.telemetry.Telemetry}, no-op by default) and the
 * values it carries. Nothing here references OpenTelemetry; its implementation lives in {@code otel} and is
 * loaded only when a client is given an OpenTelemetry. Not public API.
 *
 * <h2>One event stream.</h2>
 * Each fact of a logical call is told once, where it happens, to the call's {@code
 * dev.fanout.internal.CallEvents}, which reads the client's clock once for it and hands it to every sink: the
 * call's trace ({@code CallRecorder}, read into its {@code CallTrace}), the call's {@link
 * dev.fanout.internal.telemetry.Telemetry.CallScope} (below) and the fan-out it belongs to (its governor
 * tally). No sink counts a fact of its own, so a call's trace, {@code FanoutClient.stats()} and the spans and
 * metrics report the same hedges, governor waits, replays and statuses.
 * <ul>
 *   <li>client build: {@code Telemetry.tee(stats, otel)}, where {@code otel} is {@code Telemetry.noop()}
 *       without the builder's openTelemetry and {@code OtelTelemetry.create(openTelemetry, clock)} with it,
 *       one per client: the {@link dev.fanout.internal.telemetry.StatsTelemetry} behind
 *       {@code FanoutClient.stats()} (and Flink's operator metrics) hears every hook OpenTelemetry hears;
 *   <li>a fan-out starts: {@code fanoutStarted(combinator, size, bound)} ({@code FanoutRun} shares a {@code
 *       dev.fanout.internal.FanoutSpan} with its tasks' scopes), carried to its tasks in the call scope; it
 *       ends with the counts of its tasks' outcomes, and its own failure if any;
 *   <li>a call is made ({@code HttpEngine.start}): {@code fanout.callStarted(info)} inside a fan-out, else
 *       {@code telemetry.callStarted(info)} ({@link dev.fanout.internal.telemetry.CallInfo#genAi} for chat
 *       and embeddings, from a {@link dev.fanout.internal.telemetry.GenAiRequest} request tag); from then on
 *       only the call's {@code CallEvents} speaks to its scope;
 *   <li>a request asks the gate ({@code CallEvents.asking}): nothing yet; when the gate admits it after a
 *       wait, or the request or the call ends while it still waits, {@code governorWait(d)}, measured on the
 *       client's clock from when it asked, as its trace measures it;
 *   <li>a request is handed to OkHttp ({@code CallEvents.Leg.handedOff}): {@code attemptStarted(n)} for an
 *       attempt's first request, {@code hedgeSent(n)} for a backup, then {@code inject} into the request's
 *       builder; {@code replayed()} each time a replay interceptor sends it again unprocessed;
 *       {@code responded(code, protocol)} when its {@code Exchange} gets the response; {@code ended(error)} once, when
 *       its body is consumed or it fails or is cancelled;
 *   <li>{@code firstChunk()} on a stream's first delta (the handler's {@code AttemptContext});
 *   <li>the call ends ({@code CallEvents.ended}, on the call's single finish): its trace is recorded first,
 *       then {@code ended(error, genAiResponse)}.
 * </ul>
 * The phases OkHttp sees (left the client's queue, connected, first byte) are told to the same stream by
 * {@code TraceEventListener}; only the trace records them today.
 *
 * <p>Every scope ends before the future it belongs to completes, on the paths the SDK completes: an attempt
 * before its call finishes, a call before its future completes, a fan-out ({@code FanoutRun.complete}) before
 * its result does. A caller's own {@code cancel}/{@code complete} ends them just after.
 */
package dev.fanout.internal.telemetry;
