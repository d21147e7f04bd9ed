package dev.fanout.chat;

import dev.fanout.FanoutContext;
import dev.fanout.FanoutOptions;
import dev.fanout.errors.AgentLimitException;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.ToolFailedException;
import dev.fanout.internal.Futures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * An agent is a chat model with tools, run in a loop: the model answers, the tool calls of its answer run
 * concurrently, their results are fed back as {@code tool} messages, and the model is asked again, until it
 * answers without tool calls or a limit is reached. Immutable and thread-safe; build one with
 * {@link #builder()} and run it as often as you like, at once from several threads.
 *
 * <pre>{@code
 * Agent agent = Agent.builder()
 *     .chat(client.chat())
 *     .model("gpt-4o-mini")
 *     .addTool(Tool.function("get_weather", "Weather in a city", schema),
 *         (call, context) -> client.json().withContext(context).getAsync("weather?city=..", String.class))
 *     .options(FanoutOptions.builder().timeout(Duration.ofSeconds(30)).build())
 *     .build();
 * AgentResult result = agent.run("Weather in Paris and Tokyo?");
 * }</pre>
 *
 * <h2>A run is a fan-out of one, and each step's tools are a fan-out.</h2>
 * A run gets its own {@link FanoutContext}: the earlier of its {@linkplain Builder#options options'} timeout and
 * the enclosing context's deadline, and the enclosing context's cancellation. Its chat calls are made through
 * that context (labelled {@code <name> step <n>} in traces), and each step's tool calls run as a fan-out inside it, at most
 * the options' {@code maxConcurrency} at once, each given its own child context. So the deadline and a cancel
 * reach every tool and every HTTP call a tool makes through its context.
 *
 * <h2>Nested agents share the outer deadline.</h2>
 * An agent added as another's tool ({@link Builder#addAgentTool}) runs inside the calling tool's context:
 * the inner run keeps the earlier of its own timeout and the outer deadline, and is cancelled with the
 * outer run.
 *
 * <h2>How a run ends.</h2>
 * <ul>
 *   <li>The model answers without tool calls: the run succeeds with an {@link AgentResult}.
 *   <li>The model asks for tools after {@link Builder#maxSteps} model calls, or for more tool calls than
 *       {@link Builder#maxToolCalls} leaves: {@link AgentLimitException} naming the limit; those tool calls
 *       are not run.
 *   <li>A tool fails: its failure is reported to the model as the call's result, or the run fails with
 *       {@link ToolFailedException}, as {@link Builder#onToolFailure} says.
 *   <li>The deadline passes: {@link FanoutTimeoutException}, and every tool still running is cancelled.
 *   <li>The run's future is cancelled (or completed from outside), or the enclosing context is: every chat
 *       call and tool still running is cancelled; a blocking tool's thread is interrupted.
 *   <li>A chat call fails (after the client's retries): the run fails with the call's exception.
 * </ul>
 */
public final class Agent {
  /** Model calls per run before {@link AgentLimitException}: 10, the OpenAI Agents SDK's {@code max_turns}. */
  public static final int DEFAULT_MAX_STEPS = 10;
  /** Tool calls of one step running at once unless the options say otherwise: 8. */
  public static final int DEFAULT_MAX_PARALLEL_TOOLS = 8;
  /**
   * A run's options unless {@linkplain Builder#options set}: each step's tool calls at most
   * {@value #DEFAULT_MAX_PARALLEL_TOOLS} at once, the rest waiting their turn in the model's order; no timeout of
   * the run's own.
   */
  public static final FanoutOptions DEFAULT_OPTIONS =
      FanoutOptions.builder().maxConcurrency(DEFAULT_MAX_PARALLEL_TOOLS).build();
  /** Tool calls per run: no limit of their own ({@link Integer#MAX_VALUE}); {@code maxSteps} still applies. */
  public static final int DEFAULT_MAX_TOOL_CALLS = Integer.MAX_VALUE;
  /** A failed tool call is reported to the model as the call's result. */
  public static final OnToolFailure DEFAULT_ON_TOOL_FAILURE = OnToolFailure.REPORT_TO_MODEL;
  /** The name in reports and error messages of an agent not given one: {@code agent}. */
  public static final String DEFAULT_NAME = "agent";

  final String name;
  final AgentModel model;
  final FanoutOptions options;
  final int maxSteps;
  final int maxToolCalls;
  final OnToolFailure onToolFailure;
  private final Builder settings;
  private final String instructions;
  private final Map<String, Binding> tools;

  /** A tool as the model sees it, and the function behind it. */
  record Binding(Tool tool, ToolHandler handler) {}

  Agent(AgentBuilder b) {
    this.name = b.name;
    this.model = b.resolveModel();
    this.settings = new Builder(b);
    this.instructions = b.instructions;
    this.tools = Collections.unmodifiableMap(new LinkedHashMap<>(b.tools));
    this.options = b.options;
    this.maxSteps = b.maxSteps;
    this.maxToolCalls = b.maxToolCalls;
    this.onToolFailure = b.onToolFailure;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(settings);
  }

  /** Returns the agent's name, used in reports and error messages. */
  public String name() {
    return name;
  }

  /** Returns the tools the model is offered, in the order they were added. */
  public List<Tool> tools() {
    List<Tool> list = new ArrayList<>(tools.size());
    tools.values().forEach(b -> list.add(b.tool()));
    return List.copyOf(list);
  }

  /** Returns the function behind the tool named {@code name}, or null if the agent has none. */
  ToolHandler handler(String name) {
    Binding binding = tools.get(name);
    return binding == null ? null : binding.handler();
  }

  Set<String> toolNames() {
    return tools.keySet();
  }

  /**
   * Runs the agent on {@code task} (one user message) and blocks until it ends; see the class comment for
   * how. An interrupt cancels the run, restores the interrupt flag and throws
   * {@link FanoutCancelledException}.
   */
  public AgentResult run(String task) {
    return Futures.await(runAsync(task), "agent " + name);
  }

  /**
   * Starts a run on {@code task} inside the {@linkplain Builder#options options'} context if they have one,
   * else inside {@link FanoutContext#current()}.
   */
  public CompletableFuture<AgentResult> runAsync(String task) {
    return runAsync(task, options.context() != null ? options.context() : FanoutContext.current());
  }

  /** Starts a run on {@code task} (one user message) inside {@code context}: its deadline and cancellation. */
  public CompletableFuture<AgentResult> runAsync(String task, FanoutContext context) {
    Objects.requireNonNull(task, "task == null");
    return runAsync(List.of(ChatMessage.user(task)), context);
  }

  /**
   * Starts a run that continues {@code conversation} (the agent's instructions are put before it) inside
   * {@code context}. Only the SDK completes the returned future: cancelling it, or completing it from
   * outside, cancels the run's chat calls and tools.
   *
   * @throws IllegalArgumentException if {@code conversation} is empty
   */
  public CompletableFuture<AgentResult> runAsync(List<ChatMessage> conversation, FanoutContext context) {
    Objects.requireNonNull(conversation, "conversation == null");
    Objects.requireNonNull(context, "context == null");
    if (conversation.isEmpty()) {
      throw new IllegalArgumentException("conversation is empty: an agent needs at least one message");
    }
    List<ChatMessage> start = new ArrayList<>(conversation.size() + 1);
    if (instructions != null) {
      start.add(ChatMessage.system(instructions));
    }
    for (int i = 0; i < conversation.size(); i++) {
      start.add(Objects.requireNonNull(conversation.get(i), "conversation[" + i + "] == null"));
    }
    return AgentRun.start(this, start, context);
  }

  /**
   * Returns this agent as the function behind another agent's tool: {@code task} turns the call into this
   * agent's task (one user message), which runs inside the calling tool's context (so it shares the outer
   * deadline and is cancelled with the outer run); the tool's result is this agent's final answer.
   */
  public ToolHandler asToolHandler(Function<ToolCall, String> task) {
    Objects.requireNonNull(task, "task == null");
    return AgentTool.handler(this, task);
  }

  @Override
  public String toString() {
    return "Agent{name=" + name + ", model=" + model + ", tools=" + tools.keySet() + ", maxSteps=" + maxSteps
        + (maxToolCalls == DEFAULT_MAX_TOOL_CALLS ? "" : ", maxToolCalls=" + maxToolCalls)
        + ", options=" + options + ", onToolFailure=" + onToolFailure + '}';
  }

  /**
   * Builds an {@link Agent}: its model is {@link #chat} (OpenAI's chat completions) or {@link #messages}
   * (Anthropic's Messages API) with {@link #model}, or an {@link #agentModel} of your own. Every setter
   * validates its argument and names a bad value.
   */
  public static final class Builder extends AgentBuilder {
    private Builder() {}

    private Builder(AgentBuilder settings) {
      super(settings);
    }
  }
}
