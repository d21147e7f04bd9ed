package dev.fanout.chat;

import dev.fanout.FanoutReport;
import dev.fanout.Outcome;
import dev.fanout.internal.Excerpts;
import java.util.List;
import java.util.Objects;

/**
 * What one {@link Agent} run produced: the model's final answer, the whole conversation, and every tool call
 * of the run with how it ended. Immutable.
 *
 * <p>Every tool call the model asked for during the run is in {@link #toolRuns()} exactly once, in the
 * order the model asked for them (step by step), whether it succeeded or failed.
 */
public final class AgentResult {
  private final String agent;
  private final ChatCompletion completion;
  private final List<ChatMessage> messages;
  private final List<ChatCompletion> completions;
  private final List<ToolRun> toolRuns;
  private final List<FanoutReport> toolReports;
  private final FanoutReport report;

  AgentResult(
      String agent,
      List<ChatMessage> messages,
      List<ChatCompletion> completions,
      List<ToolRun> toolRuns,
      List<FanoutReport> toolReports,
      FanoutReport report) {
    this.agent = agent;
    this.report = report;
    this.messages = List.copyOf(messages);
    this.completions = List.copyOf(completions);
    this.completion = completions.get(completions.size() - 1);
    this.toolRuns = List.copyOf(toolRuns);
    this.toolReports = List.copyOf(toolReports);
  }

  /** Returns the name of the agent that ran. */
  public String agent() {
    return agent;
  }

  /** Returns the final answer's text. */
  public String content() {
    return completion.content();
  }

  /** Returns the completion that ended the run: the model's answer without tool calls. */
  public ChatCompletion completion() {
    return completion;
  }

  /**
   * Returns the conversation as the model last saw it, plus its final answer: the agent's instructions, the
   * input messages, each answer that called tools followed by the tools' results, and the final answer.
   */
  public List<ChatMessage> messages() {
    return messages;
  }

  /** Returns every completion of the run, one per step, in order; the last is {@link #completion()}. */
  public List<ChatCompletion> completions() {
    return completions;
  }

  /** Returns the number of steps: model calls made by the run. */
  public int steps() {
    return completions.size();
  }

  /** Returns every tool call of the run and how it ended, step by step, in the model's order within a step. */
  public List<ToolRun> toolRuns() {
    return toolRuns;
  }

  /**
   * Returns the fan-out report of each step that ran tools, in order: when each tool call started and ended,
   * its HTTP calls made through its context, and its outcome.
   */
  public List<FanoutReport> toolReports() {
    return toolReports;
  }

  /**
   * Returns the run's own report: a fan-out of one input, the run, whose {@link FanoutReport.Entry#calls()}
   * are every HTTP call made in the run, in the order they finished: the model calls (labelled
   * {@code <agent> step <n>}), the calls the tools made through their contexts, and those of nested agents.
   */
  public FanoutReport report() {
    return report;
  }

  /** Returns this result with the run's final report. */
  AgentResult withReport(FanoutReport report) {
    return new AgentResult(agent, messages, completions, toolRuns, toolReports, report);
  }

  /** Returns the total tokens of every completion of the run that reported usage. */
  public long totalTokens() {
    long total = 0;
    for (ChatCompletion c : completions) {
      total += c.usage().map(ChatCompletion.Usage::totalTokens).orElse(0);
    }
    return total;
  }

  @Override
  public String toString() {
    return "AgentResult{agent=" + agent + ", steps=" + steps() + ", toolRuns=" + toolRuns.size()
        + ", content=" + Excerpts.abbreviate(content()) + '}';
  }

  /**
   * One tool call of a run: the call as the model wrote it, the step (1 for the first model call) whose
   * answer asked for it, how it ended, and the text the model was given as its result. Immutable.
   */
  public static final class ToolRun {
    private final int step;
    private final ToolCall call;
    private final Outcome<String> outcome;
    private final String result;

    ToolRun(int step, ToolCall call, Outcome<String> outcome, String result) {
      this.step = step;
      this.call = Objects.requireNonNull(call, "call == null");
      this.outcome = Objects.requireNonNull(outcome, "outcome == null");
      this.result = Objects.requireNonNull(result, "result == null");
    }

    /** Returns the step whose answer asked for this call, 1 for the first. */
    public int step() {
      return step;
    }

    /** Returns the call as the model wrote it. */
    public ToolCall call() {
      return call;
    }

    /** Returns how the call ended: the tool's value, or its failure. */
    public Outcome<String> outcome() {
      return outcome;
    }

    /** Returns true if the tool produced a value. */
    public boolean succeeded() {
      return outcome.isSuccess();
    }

    /** Returns what the model was given as the result: the tool's value, or the failure as an error object. */
    public String result() {
      return result;
    }

    @Override
    public String toString() {
      return "ToolRun{step=" + step + ", call=" + call.name() + " " + call.id() + ", " + outcome.kind()
          + ", result=" + Excerpts.abbreviate(result) + '}';
    }
  }
}
