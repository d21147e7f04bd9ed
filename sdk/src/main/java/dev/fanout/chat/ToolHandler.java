package dev.fanout.chat;

import dev.fanout.FanoutContext;
import java.util.concurrent.CompletionStage;

/**
 * The function behind a tool of an {@link Agent}: it starts the work for one {@link ToolCall} and returns
 * the pending result, the text the model reads (usually JSON).
 *
 * <p>The context is the tool call's own: it carries the agent's deadline and is cancelled when the run is
 * (cancelled, past its deadline, or failed by another tool). Make HTTP calls through it, such as
 * {@code client.json().withContext(context).getAsync(..)}, and they are cancelled with the run and charged
 * against its deadline from any thread.
 *
 * <h2>The handler must not block.</h2>
 * It is called on the thread that finished the model's answer; start the work and return a future at once.
 * A tool that blocks is a {@link Blocking} one, run on the agent's tool executor.
 */
@FunctionalInterface
public interface ToolHandler {
  /**
   * Starts the tool's work for {@code call}; the value of the returned stage is the tool's result. A
   * failed stage (or an exception thrown here, or a null result) is the tool's failure, which the agent
   * reports to the model or fails its run with, as {@link Agent.Builder#onToolFailure} says.
   */
  CompletionStage<String> start(ToolCall call, FanoutContext context);

  /**
   * A tool that blocks until its result is ready: a database query, a blocking HTTP client, a computation.
   * The agent runs it on its {@link Agent.Builder#toolExecutor tool executor}, with the call's context as
   * {@link FanoutContext#current()} there; when the run is cancelled the thread is interrupted.
   */
  @FunctionalInterface
  interface Blocking {
    /** Runs the tool for {@code call} and returns its result; may throw to fail the call. */
    String call(ToolCall call, FanoutContext context) throws Exception;
  }
}
