package dev.fanout.langchain4j;

import dev.fanout.FanoutContext;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Executors for LangChain4j's executor hooks that carry the Fanout context across threads, so Fanout calls
 * made on them keep the deadline and cancellation of the fan-out task that started the work.
 *
 * <p>LangChain4j takes an executor once, when a service is built ({@code AiServices.builder(..)
 * .executeToolsConcurrently(executor)}, {@code DefaultRetrievalAugmentor.builder().executor(executor)}),
 * but a context belongs to one task. {@link FanoutContext#wrap(Executor)} binds one context for good;
 * {@link #propagating(Executor)} binds, at each {@code execute}, the context current on the submitting
 * thread, as OpenTelemetry's {@code Context.taskWrapping(executor)} does.
 *
 * <pre>{@code
 * Assistant assistant = AiServices.builder(Assistant.class)
 *     .chatModel(model)
 *     .tools(new WeatherTools(client))
 *     .executeToolsConcurrently(FanoutExecutors.propagating(toolPool))
 *     .build();
 * }</pre>
 */
public final class FanoutExecutors {
  private FanoutExecutors() {}

  /**
   * Returns an executor that runs each task on {@code delegate} inside the {@link FanoutContext} that was
   * {@link FanoutContext#current() current} on the thread calling {@code execute}. A task submitted outside
   * any context runs with none, as it would on {@code delegate}. The returned executor does not own
   * {@code delegate}: shut that down yourself.
   */
  public static Executor propagating(Executor delegate) {
    Objects.requireNonNull(delegate, "delegate == null");
    return new Executor() {
      @Override
      public void execute(Runnable command) {
        Objects.requireNonNull(command, "command == null");
        FanoutContext context = FanoutContext.current();
        delegate.execute(context.isNone() ? command : context.wrap(command));
      }

      @Override
      public String toString() {
        return "FanoutExecutors.propagating(" + delegate + ")";
      }
    };
  }
}
