/**
 * The SDK's telemetry seam ({@link dev.fanout.internal.telemetry.Telemetry}, no-op by default) and the
 * values it carries. Nothing here references OpenTelemetry; its implementation lives in {@code otel} and is
 * loaded only when a client is given an OpenTelemetry. Not public API.
 */
package dev.fanout.internal.telemetry;
