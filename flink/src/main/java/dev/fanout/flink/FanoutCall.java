package dev.fanout.flink;

import dev.fanout.FanoutClient;
import java.io.Serializable;
import java.util.concurrent.CompletableFuture;

/**
 * A Fanout call is the asynchronous work a {@link FanoutAsyncFunction} starts for one stream element: a
 * serializable function from the subtask's {@link FanoutClient} and the element to the future of its result,
 * typically one SDK call such as {@code (client, id) -> client.users().getAsync(id)}.
 *
 * <h2>It must be serializable.</h2>
 * It travels in the job graph to every task manager: a lambda or a static nested class whose captured values
 * are serializable. It must not capture a {@link FanoutClient} (or any OkHttp object): the function builds
 * its own client on the task manager.
 *
 * <h2>It must not block.</h2>
 * It runs on the operator's mailbox thread: start the call and return its future at once.
 *
 * <h2>Return the SDK's own future so that a timeout reaches the socket.</h2>
 * When Flink's timeout fires, the function cancels the future returned here; cancelling a future returned by
 * the SDK cancels its HTTP call and any pending retry. A derived future ({@code thenApply},
 * {@code thenCompose}) does not pass its cancellation on to the call it came from: to chain calls, use
 * {@link Chains#thenCompose} and {@link Chains#thenApply}, whose futures do.
 *
 * @param <IN> the stream element
 * @param <OUT> the call's result
 */
@FunctionalInterface
public interface FanoutCall<IN, OUT> extends Serializable {
  /** Starts the call for {@code input} and returns its pending result. */
  CompletableFuture<OUT> call(FanoutClient client, IN input);
}
