package dev.fanout.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.CallOptions;
import dev.fanout.Deadline;
import dev.fanout.Fanout;
import dev.fanout.FanoutClock;
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
import dev.fanout.internal.Threads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.UnaryOperator;

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
 *     .timeout(Duration.ofSeconds(30))
 *     .build();
 * AgentResult result = agent.run("Weather in Paris and Tokyo?");
 * }</pre>
 *
 * <h2>A run is a fan-out of one, and each step's tools are a fan-out.</h2>
 * A run gets its own {@link FanoutContext}: the earlier of its {@link Builder#timeout timeout} and the
 * enclosing context's deadline, and the enclosing context's cancellation. Its chat calls are made through
 * that context (labelled {@code <name> step <n>} in traces), and each step's tool calls run as a fan-out inside it, at most
 * {@link Builder#maxParallelTools} at once, each given its own child context. So the deadline and a cancel
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
  /** Tool calls of one step running at once: 8; the rest wait their turn in the model's order. */
  public static final int DEFAULT_MAX_PARALLEL_TOOLS = 8;
  /** Tool calls per run: no limit of their own ({@link Integer#MAX_VALUE}); {@code maxSteps} still applies. */
  public static final int DEFAULT_MAX_TOOL_CALLS = Integer.MAX_VALUE;
  /** A failed tool call is reported to the model as the call's result. */
  public static final OnToolFailure DEFAULT_ON_TOOL_FAILURE = OnToolFailure.REPORT_TO_MODEL;
  /** The name in reports and error messages of an agent not given one: {@code agent}. */
  public static final String DEFAULT_NAME = "agent";

  /** The parameters of an agent added as a tool: one string, the task. */
  private static final JsonNode TASK_SCHEMA = Json.valueToTree(Map.of(
      "type", "object",
      "properties", Map.of("task", Map.of("type", "string", "description", "What to do, in one sentence.")),
      "required", List.of("task"),
      "additionalProperties", false));

  private final String name;
  private final AgentModel model;
  private final Builder settings;
  private final String instructions;
  private final Map<String, Binding> tools;
  private final int maxSteps;
  private final int maxParallelTools;
  private final int maxToolCalls;
  private final Duration timeout;
  private final FanoutClock clock;
  private final Executor toolExecutor;
  private final OnToolFailure onToolFailure;

  /** A tool as the model sees it, and the function behind it. */
  private record Binding(Tool tool, ToolHandler handler) {}

  private Agent(Builder b) {
    this.name = b.name;
    this.model = b.agentModel();
    this.settings = new Builder(b);
    this.instructions = b.instructions;
    this.tools = Collections.unmodifiableMap(new LinkedHashMap<>(b.tools));
    this.maxSteps = b.maxSteps;
    this.maxParallelTools = b.maxParallelTools;
    this.maxToolCalls = b.maxToolCalls;
    this.timeout = b.timeout;
    this.clock = b.clock;
    this.toolExecutor = b.toolExecutor;
    this.onToolFailure = b.onToolFailure;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    return new Builder(this);
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

  /**
   * Runs the agent on {@code task} (one user message) and blocks until it ends; see the class comment for
   * how. An interrupt cancels the run, restores the interrupt flag and throws
   * {@link FanoutCancelledException}.
   */
  public AgentResult run(String task) {
    CompletableFuture<AgentResult> run = runAsync(task);
    try {
      return run.get();
    } catch (InterruptedException e) {
      run.cancel(true);
      Thread.currentThread().interrupt();
      throw new FanoutCancelledException("interrupted while waiting for agent " + name, e);
    } catch (CancellationException e) {
      throw new FanoutCancelledException("agent " + name + " was cancelled", e);
    } catch (ExecutionException e) {
      throw Futures.rethrowable(e);
    }
  }

  /** Starts a run on {@code task} inside {@link FanoutContext#current()}. */
  public CompletableFuture<AgentResult> runAsync(String task) {
    return runAsync(task, FanoutContext.current());
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
    FanoutOptions.Builder options = FanoutOptions.builder().context(context).labeler(input -> name);
    if (timeout != null) {
      options.timeout(timeout);
    }
    if (clock != null) {
      options.clock(clock);
    }
    AtomicReference<Run> current = new AtomicReference<>();
    FanoutFuture<List<AgentResult>> fanout = Fanout.all(List.of(start), (messages, runContext) -> {
      Run run = new Run(runContext, messages);
      current.set(run);
      return run.step();
    }, options.build());
    return new RunFuture(fanout, current::get);
  }

  /**
   * Returns this agent as the function behind another agent's tool: {@code task} turns the call into this
   * agent's task (one user message), which runs inside the calling tool's context (so it shares the outer
   * deadline and is cancelled with the outer run); the tool's result is this agent's final answer.
   */
  public ToolHandler asToolHandler(Function<ToolCall, String> task) {
    Objects.requireNonNull(task, "task == null");
    return (call, context) -> {
      CompletableFuture<AgentResult> inner = runAsync(task.apply(call), context);
      CompletableFuture<String> answer = inner.thenApply(AgentResult::content);
      answer.whenComplete((value, error) -> {
        if (answer.isCancelled()) {
          inner.cancel(true);
        }
      });
      return answer;
    };
  }

  /** The task of a call to an agent tool: its {@code task} argument, else its arguments as written. */
  static String taskOf(ToolCall call) {
    try {
      JsonNode task = call.argumentsJson().get("task");
      if (task != null && task.isTextual()) {
        return task.asText();
      }
    } catch (RuntimeException notJson) {
      // fall through: the model's text is the task
    }
    return call.arguments().isBlank() ? call.name() : call.arguments();
  }

  @Override
  public String toString() {
    return "Agent{name=" + name + ", model=" + model + ", tools=" + tools.keySet() + ", maxSteps=" + maxSteps
        + ", maxParallelTools=" + maxParallelTools
        + (maxToolCalls == DEFAULT_MAX_TOOL_CALLS ? "" : ", maxToolCalls=" + maxToolCalls)
        + (timeout == null ? "" : ", timeout=" + timeout) + ", onToolFailure=" + onToolFailure + '}';
  }

  /**
   * One run: the conversation so far and what the run has done. Its steps follow one another (each starts
   * when the previous one's future completes), so its state is never touched by two threads at once.
   */
  private final class Run {
    private final FanoutContext context;
    private final List<ChatMessage> messages;
    private final List<ChatCompletion> completions = new ArrayList<>();
    private final List<AgentResult.ToolRun> toolRuns = new ArrayList<>();
    private final List<FanoutReport> toolReports = new ArrayList<>();
    private volatile int step;
    private int toolCalls;

    Run(FanoutContext context, List<ChatMessage> start) {
      this.context = context;
      this.messages = new ArrayList<>(start);
    }

    CompletableFuture<AgentResult> step() {
      if (context.isCancelled()) {
        return CompletableFuture.failedFuture(new FanoutCancelledException(
            "agent " + name + " was cancelled before step " + (step + 1)));
      }
      List<Tool> offered = new ArrayList<>(tools.size());
      tools.values().forEach(binding -> offered.add(binding.tool()));
      step++;
      CompletableFuture<ChatCompletion> answer = model.next(List.copyOf(messages), offered,
          CallOptions.builder().context(context).label(name + " step " + step).build());
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
            new AgentResult(name, messages, completions, toolRuns, toolReports, null));
      }
      if (step >= maxSteps) {
        throw new AgentLimitException(String.format(
            "agent %s reached maxSteps %d without a final answer: answer %d still asks for %d tool call%s (%s), "
                + "not run; %d tool calls made before",
            name, maxSteps, step, calls.size(), calls.size() == 1 ? "" : "s", names(calls), toolCalls),
            AgentLimitException.Limit.MAX_STEPS, maxSteps);
      }
      if ((long) toolCalls + calls.size() > maxToolCalls) {
        throw new AgentLimitException(String.format(
            "agent %s reached maxToolCalls %d: answer %d asks for %d more tool call%s (%s) after %d, none of them run",
            name, maxToolCalls, step, calls.size(), calls.size() == 1 ? "" : "s", names(calls), toolCalls),
            AgentLimitException.Limit.MAX_TOOL_CALLS, maxToolCalls);
      }
      toolCalls += calls.size();
      int thisStep = step;
      FanoutOptions options = FanoutOptions.builder()
          .context(context)
          .maxConcurrency(maxParallelTools)
          .labeler((ToolCall call) -> call.name())
          .build();
      if (onToolFailure == OnToolFailure.FAIL_RUN) {
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
            "agent " + name + " ran past its deadline during the tools of step " + thisStep, null));
      }
      return step();
    }

    /**
     * Starts one tool call. The returned future is the agent's own: cancelling it (the fan-out does, at the
     * deadline or on a cancel) cancels the handler's future too. With {@code wrap} a failure is a
     * {@link ToolFailedException}, for {@link OnToolFailure#FAIL_RUN}.
     */
    private CompletableFuture<String> startTool(ToolCall call, FanoutContext toolContext, boolean wrap) {
      Binding binding = tools.get(call.name());
      if (binding == null) {
        IllegalArgumentException unknown = new IllegalArgumentException(
            "no tool named \"" + call.name() + "\" (agent " + name + " has " + tools.keySet() + ")");
        return CompletableFuture.failedFuture(wrap ? failure(call, unknown) : unknown);
      }
      CompletableFuture<String> handled;
      try {
        CompletionStage<String> stage = binding.handler().start(call, toolContext);
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

    private Throwable failure(ToolCall call, Throwable error) {
      Throwable cause = Futures.unwrap(error);
      if (cause instanceof CancellationException || cause instanceof FanoutCancelledException
          || cause instanceof FanoutTimeoutException || cause instanceof ToolFailedException) {
        return cause;
      }
      return new ToolFailedException(call.name(), call.id(), cause);
    }
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
  private final class RunFuture extends OwnedFuture<AgentResult> {
    private final FanoutFuture<List<AgentResult>> fanout;

    RunFuture(FanoutFuture<List<AgentResult>> fanout, java.util.function.Supplier<Run> run) {
      this.fanout = fanout;
      fanout.whenComplete((results, error) -> {
        if (error == null) {
          sdkComplete(results.get(0).withReport(fanout.report()));
          return;
        }
        Throwable cause = Futures.unwrap(error);
        Run r = run.get();
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

  /**
   * Builds an {@link Agent}: its model is {@link #chat} (OpenAI's chat completions) or {@link #messages}
   * (Anthropic's Messages API) with {@link #model}, or an {@link #agentModel} of your own. Every setter
   * validates its argument and names a bad value.
   */
  public static final class Builder {
    private String name = DEFAULT_NAME;
    private ChatService chat;
    private dev.fanout.messages.MessagesService messages;
    private AgentModel agentModel;
    private String model;
    private String instructions;
    private UnaryOperator<ChatRequest.Builder> request = UnaryOperator.identity();
    private UnaryOperator<dev.fanout.messages.MessageRequest.Builder> messagesRequest = UnaryOperator.identity();
    private final Map<String, Binding> tools = new LinkedHashMap<>();
    private int maxSteps = DEFAULT_MAX_STEPS;
    private int maxParallelTools = DEFAULT_MAX_PARALLEL_TOOLS;
    private int maxToolCalls = DEFAULT_MAX_TOOL_CALLS;
    private Duration timeout;
    private FanoutClock clock;
    private Executor toolExecutor;
    private OnToolFailure onToolFailure = DEFAULT_ON_TOOL_FAILURE;

    private Builder() {}

    private Builder(Agent a) {
      this(a.settings);
    }

    private Builder(Builder b) {
      this.name = b.name;
      this.chat = b.chat;
      this.messages = b.messages;
      this.agentModel = b.agentModel;
      this.model = b.model;
      this.request = b.request;
      this.messagesRequest = b.messagesRequest;
      this.instructions = b.instructions;
      this.tools.putAll(b.tools);
      this.maxSteps = b.maxSteps;
      this.maxParallelTools = b.maxParallelTools;
      this.maxToolCalls = b.maxToolCalls;
      this.timeout = b.timeout;
      this.clock = b.clock;
      this.toolExecutor = b.toolExecutor;
      this.onToolFailure = b.onToolFailure;
    }

    /** Sets the agent's name, shown in reports and error messages; not blank. Defaults to {@value Agent#DEFAULT_NAME}. */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name == null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name is blank: \"" + name + "\"");
      }
      this.name = name;
      return this;
    }

    /**
     * Sets the chat service the agent's model calls go to, such as {@code client.chat()} or a view of it
     * with its own {@link dev.fanout.CallOptions}. Required; no default.
     */
    public Builder chat(ChatService chat) {
      this.chat = Objects.requireNonNull(chat, "chat == null");
      this.messages = null;
      this.agentModel = null;
      return this;
    }

    /**
     * Sets Anthropic's Messages API as the agent's model, such as {@code client.messages()}: each step is a
     * message request of {@link #model}, adjusted by {@link #messagesRequest} (see
     * {@link AgentModel#anthropic}). Replaces {@link #chat} and {@link #agentModel}. No default.
     */
    public Builder messages(dev.fanout.messages.MessagesService messages) {
      this.messages = Objects.requireNonNull(messages, "messages == null");
      this.chat = null;
      this.agentModel = null;
      return this;
    }

    /**
     * Sets the agent's model to {@code agentModel}, any provider behind the {@link AgentModel} call;
     * replaces {@link #chat}, {@link #messages} and {@link #model}. No default.
     */
    public Builder agentModel(AgentModel agentModel) {
      this.agentModel = Objects.requireNonNull(agentModel, "agentModel == null");
      this.chat = null;
      this.messages = null;
      return this;
    }

    /** Sets the model, such as {@code gpt-4o-mini} or {@code claude-sonnet-4-5}. Required with chat or messages; no default. */
    public Builder model(String model) {
      Objects.requireNonNull(model, "model == null");
      if (model.isBlank()) {
        throw new IllegalArgumentException("model is blank: \"" + model + "\"");
      }
      this.model = model;
      return this;
    }

    /** Sets the system message put before every run's conversation; null for none. Defaults to none. */
    public Builder instructions(String instructions) {
      this.instructions = instructions;
      return this;
    }

    /**
     * Sets how every request of the agent is adjusted (temperature, maxTokens, toolChoice,
     * parallelToolCalls, ...): {@code b -> b.temperature(0.0)}. The model, the messages and the tools are
     * the agent's and are set after it. Defaults to no change.
     */
    public Builder request(UnaryOperator<ChatRequest.Builder> request) {
      this.request = Objects.requireNonNull(request, "request == null");
      return this;
    }

    /**
     * Sets how every Messages API request of the agent is adjusted ({@code maxTokens}, temperature,
     * toolChoice, ...): {@code b -> b.maxTokens(1024)}. The model, the system prompt, the messages and the
     * tools are the agent's and are set after it. Defaults to no change ({@code max_tokens}
     * {@value AgentModel#DEFAULT_MAX_TOKENS}).
     */
    public Builder messagesRequest(UnaryOperator<dev.fanout.messages.MessageRequest.Builder> messagesRequest) {
      this.messagesRequest = Objects.requireNonNull(messagesRequest, "messagesRequest == null");
      return this;
    }

    /**
     * Adds a tool: what the model is told ({@code tool}) and the function that runs a call of it, which
     * must not block (see {@link ToolHandler}). Names must be unique. Defaults to no tools.
     */
    public Builder addTool(Tool tool, ToolHandler handler) {
      Objects.requireNonNull(tool, "tool == null");
      Objects.requireNonNull(handler, "handler == null");
      if (tools.containsKey(tool.name())) {
        throw new IllegalArgumentException("duplicate tool name: " + tool.name());
      }
      tools.put(tool.name(), new Binding(tool, handler));
      return this;
    }

    /**
     * Adds a tool whose function blocks; each call runs on the {@link #toolExecutor(Executor) tool
     * executor} with the call's context as {@link FanoutContext#current()}, and its thread is interrupted
     * when the run is cancelled. Names must be unique.
     */
    public Builder addBlockingTool(Tool tool, ToolHandler.Blocking handler) {
      Objects.requireNonNull(handler, "handler == null");
      return addTool(tool, (call, context) -> runBlocking(handler, call, context, executor()));
    }

    /**
     * Adds {@code agent} as a tool named {@code name}: the model calls it with a {@code task} string, the
     * agent runs that task inside the calling tool's context (sharing this agent's deadline, cancelled with
     * its run) and its final answer is the result.
     */
    public Builder addAgentTool(String name, String description, Agent agent) {
      return addAgentTool(name, description, agent, UnaryOperator.identity());
    }

    /**
     * As {@link #addAgentTool(String, String, Agent)}, with {@code prompt} turning the model's {@code task}
     * into the agent's message, such as {@code task -> task + " Cite your sources."}.
     */
    public Builder addAgentTool(String name, String description, Agent agent, UnaryOperator<String> prompt) {
      Objects.requireNonNull(agent, "agent == null");
      Objects.requireNonNull(prompt, "prompt == null");
      return addTool(Tool.function(name, description, TASK_SCHEMA, true),
          agent.asToolHandler(call -> prompt.apply(taskOf(call))));
    }

    /**
     * Sets how many model calls a run may make; an answer that still asks for tools at the last one ends
     * the run with {@link AgentLimitException}. At least 1. Defaults to {@value Agent#DEFAULT_MAX_STEPS}.
     */
    public Builder maxSteps(int maxSteps) {
      if (maxSteps < 1) {
        throw new IllegalArgumentException("maxSteps < 1: " + maxSteps);
      }
      this.maxSteps = maxSteps;
      return this;
    }

    /**
     * Sets how many tool calls of one step run at once; the others wait their turn in the model's order.
     * 1 runs them one after another. At least 1. Defaults to {@value Agent#DEFAULT_MAX_PARALLEL_TOOLS}.
     */
    public Builder maxParallelTools(int maxParallelTools) {
      if (maxParallelTools < 1) {
        throw new IllegalArgumentException("maxParallelTools < 1: " + maxParallelTools);
      }
      this.maxParallelTools = maxParallelTools;
      return this;
    }

    /**
     * Sets how many tool calls a run may make in all; an answer asking for more than are left ends the
     * run with {@link AgentLimitException} before any of them runs. At least 1. Defaults to
     * {@link Agent#DEFAULT_MAX_TOOL_CALLS} (no limit of its own).
     */
    public Builder maxToolCalls(int maxToolCalls) {
      if (maxToolCalls < 1) {
        throw new IllegalArgumentException("maxToolCalls < 1: " + maxToolCalls);
      }
      this.maxToolCalls = maxToolCalls;
      return this;
    }

    /**
     * Sets how long a run may take, counted from its start; its chat calls, tools and nested agents are
     * charged against it, and an enclosing context's earlier deadline wins. Defaults to none (only the
     * enclosing context's deadline, if any, applies).
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout <= 0: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Sets the clock the run's deadline runs on; tests pass a {@link dev.fanout.testing.FakeClock}.
     * Defaults to null: the enclosing context's clock, else {@link FanoutClock#system()}.
     */
    public Builder clock(FanoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Sets where {@link #addBlockingTool blocking tools} run; the caller owns it. Defaults to null: a
     * shared pool of daemon threads (virtual threads on Java 21+) that end when idle.
     */
    public Builder toolExecutor(Executor toolExecutor) {
      this.toolExecutor = Objects.requireNonNull(toolExecutor, "toolExecutor == null");
      return this;
    }

    /** Sets what a failed tool call does to the run. Defaults to {@link OnToolFailure#REPORT_TO_MODEL}. */
    public Builder onToolFailure(OnToolFailure onToolFailure) {
      this.onToolFailure = Objects.requireNonNull(onToolFailure, "onToolFailure == null");
      return this;
    }

    private Executor executor() {
      return toolExecutor != null ? toolExecutor : DefaultToolExecutor.INSTANCE;
    }

    /**
     * Returns the agent.
     *
     * @throws IllegalStateException if no model service ({@link #chat}, {@link #messages} or
     *     {@link #agentModel}) or, with chat or messages, no {@link #model} was set
     */
    public Agent build() {
      agentModel();
      return new Agent(this);
    }

    private AgentModel agentModel() {
      if (chat == null && messages == null && agentModel == null) {
        throw new IllegalStateException("chat == null: set the agent's model service, chat(client.chat()) or "
            + "messages(client.messages())");
      }
      if (agentModel != null) {
        return agentModel;
      }
      if (model == null) {
        throw new IllegalStateException("model == null: set the agent's model, model(\"gpt-4o-mini\")");
      }
      if (chat != null) {
        return AgentModel.openAi(chat, model, request);
      }
      if (messages != null) {
        return AgentModel.anthropic(messages, model, messagesRequest);
      }
      return agentModel;
    }
  }

  /** The shared pool blocking tools run on when the agent was given none; created on first use. */
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
