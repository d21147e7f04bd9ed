package dev.fanout.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.CallOptions;
import dev.fanout.Deadline;
import dev.fanout.Fanout;
import dev.fanout.FanoutContext;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutReport;
import dev.fanout.Outcome;
import dev.fanout.errors.AgentLimitException;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.ToolFailedException;
import dev.fanout.internal.Futures;
import dev.fanout.internal.Json;
import dev.fanout.internal.OwnedFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One run of an {@link Agent}: the conversation so far and what the run has done. Its steps follow one another
 * (each starts when the previous one's future completes), so its state is never touched by two threads at once.
 * The run is a fan-out of one input under the agent's options; each step's tool calls are a fan-out inside it.
 */
final class AgentRun {
  private final Agent agent;
  private final FanoutContext context;
  private final List<ChatMessage> messages;
  private final List<ChatCompletion> completions = new ArrayList<>();
  private final List<AgentResult.ToolRun> toolRuns = new ArrayList<>();
  private final List<FanoutReport> toolReports = new ArrayList<>();
  private volatile int step;
  private int toolCalls;

  private AgentRun(Agent agent, FanoutContext context, List<ChatMessage> start) {
    this.agent = agent;
    this.context = context;
    this.messages = new ArrayList<>(start);
  }

  /**
   * Starts a run of {@code agent} on {@code start} (the whole conversation, instructions included) inside
   * {@code context}, under the agent's options.
   */
  static CompletableFuture<AgentResult> start(Agent agent, List<ChatMessage> start, FanoutContext context) {
    FanoutOptions options = agent.options.newBuilder().context(context).labeler(input -> agent.name).build();
    AtomicReference<AgentRun> current = new AtomicReference<>();
    FanoutFuture<List<AgentResult>> fanout = Fanout.all(List.of(start), (messages, runContext) -> {
      AgentRun run = new AgentRun(agent, runContext, messages);
      current.set(run);
      return run.step();
    }, options);
    return new RunFuture(agent.name, fanout, current::get);
  }

  private CompletableFuture<AgentResult> step() {
    if (context.isCancelled()) {
      return CompletableFuture.failedFuture(new FanoutCancelledException(
          "agent " + agent.name + " was cancelled before step " + (step + 1)));
    }
    step++;
    CompletableFuture<ChatCompletion> answer = agent.model.next(List.copyOf(messages), agent.tools(),
        CallOptions.builder().context(context).label(agent.name + " step " + step).build());
    Objects.requireNonNull(answer, "the agent's model returned a null future");
    return answer.thenCompose(this::onAnswer);
  }

  private CompletableFuture<AgentResult> onAnswer(ChatCompletion completion) {
    completions.add(completion);
    ChatMessage answer = completion.message();
    messages.add(answer);
    List<ToolCall> calls = answer.toolCalls();
    if (calls.isEmpty()) {
      return CompletableFuture.completedFuture(
          new AgentResult(agent.name, messages, completions, toolRuns, toolReports, null));
    }
    if (step >= agent.maxSteps) {
      throw new AgentLimitException(String.format(
          "agent %s reached maxSteps %d without a final answer: answer %d still asks for %d tool call%s (%s), "
              + "not run; %d tool calls made before",
          agent.name, agent.maxSteps, step, calls.size(), calls.size() == 1 ? "" : "s", names(calls), toolCalls),
          AgentLimitException.Limit.MAX_STEPS, agent.maxSteps);
    }
    if ((long) toolCalls + calls.size() > agent.maxToolCalls) {
      throw new AgentLimitException(String.format(
          "agent %s reached maxToolCalls %d: answer %d asks for %d more tool call%s (%s) after %d, none of them run",
          agent.name, agent.maxToolCalls, step, calls.size(), calls.size() == 1 ? "" : "s", names(calls),
          toolCalls),
          AgentLimitException.Limit.MAX_TOOL_CALLS, agent.maxToolCalls);
    }
    toolCalls += calls.size();
    int thisStep = step;
    FanoutOptions options = FanoutOptions.builder()
        .context(context)
        .maxConcurrency(agent.options.maxConcurrency())
        .labeler((ToolCall call) -> call.name())
        .build();
    if (agent.onToolFailure == OnToolFailure.FAIL_RUN) {
      FanoutFuture<List<String>> results =
          Fanout.all(calls, (call, toolContext) -> startTool(call, toolContext, true), options);
      return results.thenCompose(values -> {
        List<Outcome<String>> outcomes = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
          outcomes.add(Outcome.success(i, values.get(i)));
        }
        return afterTools(thisStep, calls, outcomes, results.report());
      });
    }
    FanoutFuture<List<Outcome<String>>> settled =
        Fanout.settleAll(calls, (call, toolContext) -> startTool(call, toolContext, false), options);
    return settled.thenCompose(outcomes -> afterTools(thisStep, calls, outcomes, settled.report()));
  }

  /** Feeds the step's results back, in the model's order, and asks the model again. */
  private CompletableFuture<AgentResult> afterTools(
      int thisStep, List<ToolCall> calls, List<Outcome<String>> outcomes, FanoutReport report) {
    toolReports.add(report);
    for (int i = 0; i < calls.size(); i++) {
      ToolCall call = calls.get(i);
      Outcome<String> outcome = outcomes.get(i);
      String result = outcome.isSuccess() ? outcome.value() : errorResult(outcome.error());
      toolRuns.add(new AgentResult.ToolRun(thisStep, call, outcome, result));
      messages.add(ChatMessage.tool(call.id(), result));
    }
    Deadline deadline = context.deadline();
    if (deadline.isExpired()) {
      return CompletableFuture.failedFuture(new FanoutTimeoutException(
          "agent " + agent.name + " ran past its deadline during the tools of step " + thisStep, null));
    }
    return step();
  }

  /**
   * Starts one tool call. The returned future is the agent's own: cancelling it (the fan-out does, at the
   * deadline or on a cancel) cancels the handler's future too. With {@code wrap} a failure is a
   * {@link ToolFailedException}, for {@link OnToolFailure#FAIL_RUN}.
   */
  private CompletableFuture<String> startTool(ToolCall call, FanoutContext toolContext, boolean wrap) {
    ToolHandler handler = agent.handler(call.name());
    if (handler == null) {
      IllegalArgumentException unknown = new IllegalArgumentException(
          "no tool named \"" + call.name() + "\" (agent " + agent.name + " has " + agent.toolNames() + ")");
      return CompletableFuture.failedFuture(wrap ? failure(call, unknown) : unknown);
    }
    CompletableFuture<String> handled;
    try {
      CompletionStage<String> stage = handler.start(call, toolContext);
      if (stage == null) {
        throw new NullPointerException("tool " + call.name() + " returned a null future");
      }
      handled = stage.toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(wrap ? failure(call, e) : e);
    }
    CompletableFuture<String> result = new CompletableFuture<>();
    handled.whenComplete((value, error) -> {
      if (error != null) {
        result.completeExceptionally(wrap ? failure(call, error) : Futures.unwrap(error));
      } else if (value == null) {
        NullPointerException none = new NullPointerException("tool " + call.name() + " returned null");
        result.completeExceptionally(wrap ? failure(call, none) : none);
      } else {
        result.complete(value);
      }
    });
    result.whenComplete((value, error) -> {
      if (result.isCancelled()) {
        handled.cancel(true);
      }
    });
    return result;
  }

  private static Throwable failure(ToolCall call, Throwable error) {
    Throwable cause = Futures.unwrap(error);
    if (cause instanceof CancellationException || cause instanceof FanoutCancelledException
        || cause instanceof FanoutTimeoutException || cause instanceof ToolFailedException) {
      return cause;
    }
    return new ToolFailedException(call.name(), call.id(), cause);
  }

  /** The text the model is given for a failed tool call: {@code {"error": "<type>: <message>"}}. */
  static String errorResult(Throwable error) {
    Throwable cause = Futures.unwrap(error);
    String message = cause.getMessage();
    ObjectNode node = Json.objectNode();
    node.put("error", cause.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    return node.toString();
  }

  private static String names(List<ToolCall> calls) {
    List<String> names = new ArrayList<>(calls.size());
    calls.forEach(c -> names.add(c.name()));
    return String.join(", ", names);
  }

  /**
   * A run's result: completed by the run alone; a cancel or a completion from outside stops the run first.
   * A timed-out run fails with a message naming the agent and its step rather than the fan-out's.
   */
  private static final class RunFuture extends OwnedFuture<AgentResult> {
    private final FanoutFuture<List<AgentResult>> fanout;

    RunFuture(String name, FanoutFuture<List<AgentResult>> fanout, java.util.function.Supplier<AgentRun> run) {
      this.fanout = fanout;
      fanout.whenComplete((results, error) -> {
        if (error == null) {
          sdkComplete(results.get(0).withReport(fanout.report()));
          return;
        }
        Throwable cause = Futures.unwrap(error);
        AgentRun r = run.get();
        if (cause instanceof FanoutTimeoutException timedOut && r != null
            && !cause.getMessage().startsWith("agent ")) {
          cause = new FanoutTimeoutException("agent " + name + " ran past its deadline at step " + r.step
              + " (" + cause.getMessage() + ")", timedOut.timeout(), cause);
        }
        sdkFail(cause);
      });
    }

    @Override
    protected boolean fromOutside(BooleanSupplier completion) {
      fanout.cancel(true);
      return completion.getAsBoolean();
    }
  }
}
