/**
 * The SDK's telemetry seam ({@link dev.fanout.internal.telemetry.Telemetry}, no-op by default) and the
 * values it carries. Nothing here references OpenTelemetry; its implementation lives in {@code otel} and is
 * loaded only when a client is given an OpenTelemetry. Not public API.
 *
 * <p>Where the call path reports (the plug-in):
 * <ul>
 *   <li>client build: {@code Telemetry.tee(stats, otel)}, where {@code otel} is {@code Telemetry.noop()}
 *       without the builder's openTelemetry and {@code OtelTelemetry.create(openTelemetry, clock)} with it,
 *       one per client: the {@link dev.fanout.internal.telemetry.StatsTelemetry} behind
 *       {@code FanoutClient.stats()} (and Flink's operator metrics) hears every hook OpenTelemetry hears;
 *   <li>a fan-out starts: {@code fanoutStarted(combinator, size, bound)}, carried to its tasks in the call
 *       scope; it ends with the counts of its tasks' outcomes, and its own failure if any;
 *   <li>a call is created: {@code fanout.callStarted(info)} inside a fan-out, else
 *       {@code telemetry.callStarted(info)} ({@link dev.fanout.internal.telemetry.CallInfo#genAi} for chat
 *       and embeddings); it ends once, where the call's single finish records its trace, with the
 *       {@link dev.fanout.internal.telemetry.GenAiResponse} of a chat completion;
 *   <li>each attempt: {@code attemptStarted(n)} (or {@code hedgeSent(n)}) just before the request is built,
 *       {@code inject} into that request's builder, {@code responded(code)} when headers arrive,
 *       {@code ended(error)} when its body is consumed or it fails or is cancelled;
 *   <li>{@code governorWait(d)} when the governor releases a call it held; {@code firstChunk()} on a
 *       stream's first delta.
 * </ul>
 *
 * <p>Wired today: client build ({@code FanoutClient.Builder.openTelemetry}, {@code HttpEngine}), the fan-out
 * ({@code FanoutRun} shares a {@code dev.fanout.internal.FanoutSpan} with its tasks' scopes; the first call
 * of a client with telemetry starts it), calls and attempts ({@code LogicalCall}), GenAI request and
 * response ({@code ChatServiceImpl}, {@code EmbeddingServiceImpl}: a {@link
 * dev.fanout.internal.telemetry.GenAiRequest} request tag, {@code LogicalCall.genAiResponse},
 * {@code firstChunk}), {@code governorWait} ({@code LogicalCall.sendRequest}, for a permit that waited) and
 * {@code hedgeSent} ({@code LogicalCall}, for each backup it sends).
 *
 * <p>Every scope ends before the future it belongs to completes, on the paths the SDK completes: an attempt
 * before its call finishes, a call before its future completes, a fan-out ({@code FanoutRun.complete}) before
 * its result does. A caller's own {@code cancel}/{@code complete} ends them just after.
 */
package dev.fanout.internal.telemetry;
