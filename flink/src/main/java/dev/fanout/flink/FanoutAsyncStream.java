package dev.fanout.flink;

import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Applies a {@link FanoutAsyncFunction} to a stream with Flink's Async I/O operator, wired from the function's
 * {@link FanoutAsyncConfig}: the operator's capacity is the configuration's (by default the spec's
 * {@code maxInFlight}, so one number sizes both the operator's queue and the SDK's concurrency limit), the
 * operator's timeout is the configuration's, and the output is ordered or unordered as it says.
 *
 * <pre>{@code
 * DataStream<User> users =
 *     FanoutAsyncStream.apply(ids, FanoutAsyncFunction.of(config, (c, id) -> c.users().getAsync(id)), User.class);
 * }</pre>
 *
 * <h2>Name the output type.</h2>
 * Flink cannot see the output type of a generic function through erasure: pass it as a class, or as a
 * {@link TypeInformation} for a generic type such as {@code CallOutcome<Long, User>}
 * ({@code TypeInformation.of(new TypeHint<CallOutcome<Long, User>>() {})}).
 *
 * <p>Why one number: a Flink capacity above the SDK's {@code maxInFlight} only queues calls in OkHttp's
 * dispatcher, where their wait counts against Flink's timeout; one below it leaves connections idle. No Flink
 * retry strategy is installed: retries live in the SDK (see {@link FanoutAsyncConfig}).
 */
public final class FanoutAsyncStream {
  private FanoutAsyncStream() {}

  /** As {@link #apply(DataStream, FanoutAsyncFunction, TypeInformation)}, for a non-generic output class. */
  public static <IN, OUT> SingleOutputStreamOperator<OUT> apply(
      DataStream<IN> input, FanoutAsyncFunction<IN, OUT> function, Class<OUT> outputType) {
    if (outputType == null) {
      throw new IllegalArgumentException("outputType == null");
    }
    return apply(input, function, TypeInformation.of(outputType));
  }

  /**
   * Returns {@code AsyncDataStream.unorderedWait} (or {@code orderedWait} if the configuration is
   * {@link FanoutAsyncConfig#ordered() ordered}) of {@code input} through {@code function}, with the
   * configuration's timeout and capacity, emitting {@code outputType}.
   */
  public static <IN, OUT> SingleOutputStreamOperator<OUT> apply(
      DataStream<IN> input, FanoutAsyncFunction<IN, OUT> function, TypeInformation<OUT> outputType) {
    if (outputType == null) {
      throw new IllegalArgumentException("outputType == null");
    }
    return apply(input, function).returns(outputType);
  }

  /**
   * Returns {@code AsyncDataStream.unorderedWait} (or {@code orderedWait} if the configuration is
   * {@link FanoutAsyncConfig#ordered() ordered}) of {@code input} through {@code function}, with the
   * configuration's timeout and capacity. Its output type is what Flink can extract, which for most functions
   * is nothing: set it with {@code returns(...)} or use an overload that takes it.
   */
  public static <IN, OUT> SingleOutputStreamOperator<OUT> apply(
      DataStream<IN> input, FanoutAsyncFunction<IN, OUT> function) {
    if (input == null) {
      throw new IllegalArgumentException("input == null");
    }
    if (function == null) {
      throw new IllegalArgumentException("function == null");
    }
    FanoutAsyncConfig config = function.config();
    long timeoutMillis = config.timeout().toMillis();
    SingleOutputStreamOperator<OUT> out = config.ordered()
        ? AsyncDataStream.orderedWait(input, function, timeoutMillis, TimeUnit.MILLISECONDS, config.capacity())
        : AsyncDataStream.unorderedWait(input, function, timeoutMillis, TimeUnit.MILLISECONDS, config.capacity());
    return out.name("Fanout " + (config.ordered() ? "ordered" : "unordered") + " async I/O, capacity "
        + config.capacity());
  }
}
