package dev.fanout.flink;

import java.io.Serializable;

/**
 * A fallback is the value a {@link FanoutAsyncFunction} emits for an element whose call failed or timed out,
 * instead of failing the job: a serializable function from the element and the failure to the value to emit.
 *
 * <p>The failure is the SDK's: a {@link dev.fanout.errors.FanoutException} such as
 * {@link dev.fanout.errors.ServerException} (the last attempt of a 5xx; {@code attempts()} says how many),
 * {@link dev.fanout.errors.NotFoundException}, or {@link dev.fanout.errors.FanoutTimeoutException} (the SDK's
 * call timeout or Flink's async timeout passed); or whatever the {@link FanoutCall} itself threw. A fallback
 * that throws fails the element with what it threw (the call's failure suppressed in it).
 *
 * @param <IN> the stream element
 * @param <OUT> the emitted value
 */
@FunctionalInterface
public interface FanoutFallback<IN, OUT> extends Serializable {
  /** Returns the value to emit for {@code input}, whose call failed with {@code error}. */
  OUT recover(IN input, Throwable error);
}
