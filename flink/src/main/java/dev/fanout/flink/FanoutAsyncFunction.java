package dev.fanout.flink;

import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.errors.FanoutTimeoutException;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Fanout async function is a Flink {@link RichAsyncFunction} that makes one Fanout call per stream element
 * and completes Flink's {@link ResultFuture} from the SDK's {@link CompletableFuture}. Apply it with
 * {@link FanoutAsyncStream#apply}, which gives Flink's Async I/O operator the same capacity as the SDK.
 *
 * <pre>{@code
 * FanoutAsyncFunction<Long, User> lookup =
 *     FanoutAsyncFunction.of(config, (client, id) -> client.users().getAsync(id));
 * DataStream<User> users = FanoutAsyncStream.apply(ids, lookup);
 * }</pre>
 *
 * <h2>Results.</h2>
 * A call's value is emitted as the element's one result. A failed call (after the SDK's retries) fails the
 * element, and so the job, unless the function has a {@link FanoutFallback}: then the fallback's value is
 * emitted instead. {@link #outcomes} emits a {@link CallOutcome} for every element, success or failure, so
 * nothing is lost and nothing fails the job.
 *
 * <h2>Timeouts reach the socket.</h2>
 * When Flink's async timeout fires for an element, {@link #timeout} cancels the element's call future (Flink
 * alone would only stop waiting for it), which cancels the HTTP call and any pending retry, then completes
 * the element as a failure with {@link FanoutTimeoutException}: through the fallback if there is one. The
 * SDK's own call timeout ({@link FanoutAsyncConfig#totalTimeout()}) is always shorter, so a slow call normally
 * ends in the SDK first with the same exception.
 *
 * <h2>Metrics.</h2>
 * Each subtask registers, on its operator's metric group under {@code fanout}, gauges {@code callsInFlight}
 * and {@code attemptsInFlight} and counters {@code tooManyRequests} (429 responses), {@code hedgesSent},
 * {@code governorWaits} and {@code governorWaitMillis}, read from its client's {@link FanoutClient#stats()}.
 *
 * <h2>Ownership.</h2>
 * The function is serialized into the job graph with its configuration and call; its {@link FanoutClient} is
 * {@code transient}: each subtask builds its own in {@link #open(OpenContext)} and closes it in
 * {@link #close()}, which first forgets and then cancels every call still in flight.
 *
 * @param <IN> the stream element
 * @param <OUT> what the function emits per element
 */
public final class FanoutAsyncFunction<IN, OUT> extends RichAsyncFunction<IN, OUT> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FanoutAsyncFunction.class);

  private final FanoutAsyncConfig config;
  private final FanoutCall<IN, Object> call;
  private final ResultMapper<IN, Object, OUT> onSuccess;
  private final FanoutFallback<IN, OUT> onFailure;

  private transient FanoutClient client;
  private transient ConcurrentHashMap<ResultFuture<OUT>, CompletableFuture<?>> inFlight;

  @SuppressWarnings("unchecked")
  private <R> FanoutAsyncFunction(
      FanoutAsyncConfig config,
      FanoutCall<IN, R> call,
      ResultMapper<IN, R, OUT> onSuccess,
      FanoutFallback<IN, OUT> onFailure) {
    if (config == null) {
      throw new IllegalArgumentException("config == null");
    }
    if (call == null) {
      throw new IllegalArgumentException("call == null");
    }
    this.config = config;
    this.call = (FanoutCall<IN, Object>) (FanoutCall<IN, ?>) call;
    this.onSuccess = (ResultMapper<IN, Object, OUT>) (ResultMapper<IN, ?, OUT>) onSuccess;
    this.onFailure = onFailure;
  }

  /**
   * Returns a function that emits each call's value and fails the element (and so the job) when a call
   * fails after the SDK's retries.
   */
  public static <IN, OUT> FanoutAsyncFunction<IN, OUT> of(FanoutAsyncConfig config, FanoutCall<IN, OUT> call) {
    return new FanoutAsyncFunction<>(config, call, (in, value) -> value, null);
  }

  /**
   * Returns a function that emits each call's value, and {@code fallback}'s value for an element whose call
   * failed or timed out.
   */
  public static <IN, OUT> FanoutAsyncFunction<IN, OUT> withFallback(
      FanoutAsyncConfig config, FanoutCall<IN, OUT> call, FanoutFallback<IN, OUT> fallback) {
    if (fallback == null) {
      throw new IllegalArgumentException("fallback == null");
    }
    return new FanoutAsyncFunction<>(config, call, (in, value) -> value, fallback);
  }

  /**
   * Returns a function that never fails an element: it emits one {@link CallOutcome} per element, holding
   * the call's value or its failure (timeouts included).
   */
  public static <IN, OUT> FanoutAsyncFunction<IN, CallOutcome<IN, OUT>> outcomes(
      FanoutAsyncConfig config, FanoutCall<IN, OUT> call) {
    return new FanoutAsyncFunction<IN, CallOutcome<IN, OUT>>(
        config, call, CallOutcome::success, CallOutcome::failure);
  }

  /** Returns the configuration this function was built from. */
  public FanoutAsyncConfig config() {
    return config;
  }

  /**
   * Builds this subtask's client from the configuration and registers its metrics on the operator's metric
   * group (the metrics above).
   */
  @Override
  public void open(OpenContext openContext) throws Exception {
    super.open(openContext);
    inFlight = new ConcurrentHashMap<>();
    client = config.newClient();
    FanoutMetrics.register(getRuntimeContext().getMetricGroup(), client);
    LOG.debug("opened {} with {}", client, config);
  }

  /**
   * Starts the call for {@code input}. Its result completes {@code resultFuture} on the thread that finished
   * the call; a call that throws instead of returning a future is a failed call.
   */
  @Override
  public void asyncInvoke(IN input, ResultFuture<OUT> resultFuture) {
    FanoutClient c = client;
    if (c == null) {
      throw new IllegalStateException("asyncInvoke before open(): the function has no client");
    }
    CompletableFuture<?> future;
    try {
      future = call.call(c, input);
      if (future == null) {
        throw new NullPointerException("the FanoutCall returned null instead of a future for " + input);
      }
    } catch (RuntimeException e) {
      fail(input, resultFuture, e);
      return;
    }
    inFlight.put(resultFuture, future);
    future.whenComplete((value, error) -> {
      if (!inFlight.remove(resultFuture, future)) {
        return; // timed out or closed: the element was completed there
      }
      if (error == null) {
        succeed(input, resultFuture, value);
      } else {
        fail(input, resultFuture, Fanout.unwrap(error));
      }
    });
  }

  /**
   * Called by Flink when the element's async timeout passes: cancels its call (reaching the HTTP call when
   * the {@link FanoutCall} returned the SDK's future) and completes the element with a
   * {@link FanoutTimeoutException}, through the fallback if there is one.
   */
  @Override
  public void timeout(IN input, ResultFuture<OUT> resultFuture) {
    CompletableFuture<?> future = inFlight == null ? null : inFlight.remove(resultFuture);
    if (future == null) {
      return; // completed meanwhile
    }
    future.cancel(true);
    fail(input, resultFuture, new FanoutTimeoutException(
        "Flink async timeout of " + config.timeout() + " passed for " + input + "; its call was cancelled",
        config.timeout()));
  }

  /** Returns how many of this subtask's elements have a call in flight. */
  public int inFlight() {
    return inFlight == null ? 0 : inFlight.size();
  }

  /** Forgets the calls still in flight (their elements are not completed), then closes the client, which cancels them. */
  @Override
  public void close() throws Exception {
    try {
      if (inFlight != null && !inFlight.isEmpty()) {
        LOG.debug("closing with {} calls in flight; cancelling them", inFlight.size());
        inFlight.clear();
      }
      if (client != null) {
        client.close();
      }
    } finally {
      client = null;
      super.close();
    }
  }

  private void succeed(IN input, ResultFuture<OUT> resultFuture, Object value) {
    OUT out;
    try {
      out = onSuccess.map(input, value);
    } catch (RuntimeException e) {
      fail(input, resultFuture, e);
      return;
    }
    if (out == null) {
      fail(input, resultFuture, new NullPointerException("the call for " + input + " produced null; Flink cannot emit null"));
      return;
    }
    resultFuture.complete(List.of(out));
  }

  private void fail(IN input, ResultFuture<OUT> resultFuture, Throwable error) {
    if (onFailure == null) {
      resultFuture.completeExceptionally(error);
      return;
    }
    OUT out;
    try {
      out = onFailure.recover(input, error);
    } catch (RuntimeException e) {
      e.addSuppressed(error);
      resultFuture.completeExceptionally(e);
      return;
    }
    if (out == null) {
      NullPointerException npe = new NullPointerException("the fallback for " + input + " returned null; Flink cannot emit null");
      npe.addSuppressed(error);
      resultFuture.completeExceptionally(npe);
      return;
    }
    resultFuture.complete(List.of(out));
  }

  @Override
  public String toString() {
    return "FanoutAsyncFunction{" + config + (onFailure != null ? ", with fallback" : "") + '}';
  }

  /** Maps a call's value to what the function emits; serializable like the call. */
  @FunctionalInterface
  private interface ResultMapper<IN, R, OUT> extends Serializable {
    OUT map(IN input, R value);
  }
}
