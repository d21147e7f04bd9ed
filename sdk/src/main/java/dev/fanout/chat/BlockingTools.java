package dev.fanout.chat;

import dev.fanout.FanoutContext;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.internal.Threads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Runs an agent's {@linkplain Agent.Builder#addBlockingTool blocking tools} off the caller's threads. */
final class BlockingTools {
  private BlockingTools() {}

  /** Returns the shared pool blocking tools run on when the agent was given none; created on first use. */
  static Executor sharedExecutor() {
    return DefaultToolExecutor.INSTANCE;
  }

  private static final class DefaultToolExecutor {
    static final Executor INSTANCE = Threads.virtualThreadsAvailable()
        ? Threads.newVirtualThreadPerTaskExecutor("fanout-agent-tool-")
        : Threads.newPlatformPool("fanout-agent-tool-");
  }

  /**
   * Runs a blocking tool on {@code executor}: with the call's context current there, its result or failure
   * completing the returned future, and its thread interrupted if the future is cancelled while it runs.
   */
  static CompletableFuture<String> runBlocking(
      ToolHandler.Blocking handler, ToolCall call, FanoutContext context, Executor executor) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Object lock = new Object();
    Thread[] runner = new Thread[1];
    boolean[] interrupted = new boolean[1];
    Runnable task = context.wrap(() -> {
      synchronized (lock) {
        if (result.isDone()) {
          return; // cancelled before it started
        }
        runner[0] = Thread.currentThread();
      }
      try {
        result.complete(handler.call(call, context));
      } catch (InterruptedException e) {
        result.completeExceptionally(new FanoutCancelledException("tool " + call.name() + " was interrupted", e));
        Thread.currentThread().interrupt();
      } catch (Exception | Error e) {
        result.completeExceptionally(e);
      } finally {
        synchronized (lock) {
          runner[0] = null;
          if (interrupted[0]) {
            Thread.interrupted(); // our own interrupt, aimed at the cancelled tool: not the pool's thread
          }
        }
      }
    });
    result.whenComplete((value, error) -> {
      if (result.isCancelled()) {
        synchronized (lock) {
          if (runner[0] != null) {
            interrupted[0] = true;
            runner[0].interrupt();
          }
        }
      }
    });
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
    return result;
  }
}
