package dev.fanout.chat;

import dev.fanout.FanoutContext;
import dev.fanout.FanoutOptions;
import dev.fanout.errors.AgentLimitException;
import dev.fanout.internal.Checks;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;

/**
 * The setters of {@link Agent.Builder}: which model the agent asks and how its requests are adjusted, its
 * tools, its limits, how a run fans out and what a failed tool does, each checked as it is set. Every setter
 * names a bad value.
 */
abstract class AgentBuilder {
  String name = Agent.DEFAULT_NAME;
  ChatService chat;
  dev.fanout.messages.MessagesService messages;
  AgentModel agentModel;
  String model;
  String instructions;
  UnaryOperator<ChatRequest.Builder> request = UnaryOperator.identity();
  UnaryOperator<dev.fanout.messages.MessageRequest.Builder> messagesRequest = UnaryOperator.identity();
  final Map<String, Agent.Binding> tools = new LinkedHashMap<>();
  int maxSteps = Agent.DEFAULT_MAX_STEPS;
  int maxToolCalls = Agent.DEFAULT_MAX_TOOL_CALLS;
  FanoutOptions options = Agent.DEFAULT_OPTIONS;
  Executor toolExecutor;
  OnToolFailure onToolFailure = Agent.DEFAULT_ON_TOOL_FAILURE;

  AgentBuilder() {}

  AgentBuilder(AgentBuilder b) {
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
    this.maxToolCalls = b.maxToolCalls;
    this.options = b.options;
    this.toolExecutor = b.toolExecutor;
    this.onToolFailure = b.onToolFailure;
  }

  /** Sets the agent's name, shown in reports and error messages; not blank. Defaults to {@value Agent#DEFAULT_NAME}. */
  public Agent.Builder name(String name) {
    this.name = Checks.notBlank(name, "name");
    return self();
  }

  /**
   * Sets the chat service the agent's model calls go to, such as {@code client.chat()} or a view of it
   * with its own {@link dev.fanout.CallOptions}. Required; no default.
   */
  public Agent.Builder chat(ChatService chat) {
    this.chat = Objects.requireNonNull(chat, "chat == null");
    this.messages = null;
    this.agentModel = null;
    return self();
  }

  /**
   * Sets Anthropic's Messages API as the agent's model, such as {@code client.messages()}: each step is a
   * message request of {@link #model}, adjusted by {@link #messagesRequest} (see
   * {@link AgentModel#anthropic}). Replaces {@link #chat} and {@link #agentModel}. No default.
   */
  public Agent.Builder messages(dev.fanout.messages.MessagesService messages) {
    this.messages = Objects.requireNonNull(messages, "messages == null");
    this.chat = null;
    this.agentModel = null;
    return self();
  }

  /**
   * Sets the agent's model to {@code agentModel}, any provider behind the {@link AgentModel} call;
   * replaces {@link #chat}, {@link #messages} and {@link #model}. No default.
   */
  public Agent.Builder agentModel(AgentModel agentModel) {
    this.agentModel = Objects.requireNonNull(agentModel, "agentModel == null");
    this.chat = null;
    this.messages = null;
    return self();
  }

  /** Sets the model, such as {@code gpt-4o-mini} or {@code claude-sonnet-4-5}. Required with chat or messages; no default. */
  public Agent.Builder model(String model) {
    this.model = Checks.notBlank(model, "model");
    return self();
  }

  /** Sets the system message put before every run's conversation; null for none. Defaults to none. */
  public Agent.Builder instructions(String instructions) {
    this.instructions = instructions;
    return self();
  }

  /**
   * Sets how every request of the agent is adjusted (temperature, maxTokens, toolChoice,
   * parallelToolCalls, ...): {@code b -> b.temperature(0.0)}. The model, the messages and the tools are
   * the agent's and are set after it. Defaults to no change.
   */
  public Agent.Builder request(UnaryOperator<ChatRequest.Builder> request) {
    this.request = Objects.requireNonNull(request, "request == null");
    return self();
  }

  /**
   * Sets how every Messages API request of the agent is adjusted ({@code maxTokens}, temperature,
   * toolChoice, ...): {@code b -> b.maxTokens(1024)}. The model, the system prompt, the messages and the
   * tools are the agent's and are set after it. Defaults to no change ({@code max_tokens}
   * {@value AgentModel#DEFAULT_MAX_TOKENS}).
   */
  public Agent.Builder messagesRequest(UnaryOperator<dev.fanout.messages.MessageRequest.Builder> messagesRequest) {
    this.messagesRequest = Objects.requireNonNull(messagesRequest, "messagesRequest == null");
    return self();
  }

  /**
   * Adds a tool: what the model is told ({@code tool}) and the function that runs a call of it, which
   * must not block (see {@link ToolHandler}). Names must be unique. Defaults to no tools.
   */
  public Agent.Builder addTool(Tool tool, ToolHandler handler) {
    Objects.requireNonNull(tool, "tool == null");
    Objects.requireNonNull(handler, "handler == null");
    if (tools.containsKey(tool.name())) {
      throw new IllegalArgumentException("duplicate tool name: " + tool.name());
    }
    tools.put(tool.name(), new Agent.Binding(tool, handler));
    return self();
  }

  /**
   * Adds a tool whose function blocks; each call runs on the {@link #toolExecutor(Executor) tool
   * executor} with the call's context as {@link FanoutContext#current()}, and its thread is interrupted
   * when the run is cancelled. Names must be unique.
   */
  public Agent.Builder addBlockingTool(Tool tool, ToolHandler.Blocking handler) {
    Objects.requireNonNull(handler, "handler == null");
    return addTool(tool, (call, context) -> BlockingTools.runBlocking(handler, call, context, executor()));
  }

  /**
   * Adds {@code agent} as a tool named {@code name}: the model calls it with a {@code task} string, the
   * agent runs that task inside the calling tool's context (sharing this agent's deadline, cancelled with
   * its run) and its final answer is the result.
   */
  public Agent.Builder addAgentTool(String name, String description, Agent agent) {
    return addAgentTool(name, description, agent, UnaryOperator.identity());
  }

  /**
   * As {@link #addAgentTool(String, String, Agent)}, with {@code prompt} turning the model's {@code task}
   * into the agent's message, such as {@code task -> task + " Cite your sources."}.
   */
  public Agent.Builder addAgentTool(String name, String description, Agent agent, UnaryOperator<String> prompt) {
    Objects.requireNonNull(agent, "agent == null");
    Objects.requireNonNull(prompt, "prompt == null");
    return addTool(AgentTool.tool(name, description),
        agent.asToolHandler(call -> prompt.apply(AgentTool.taskOf(call))));
  }

  /**
   * Sets how many model calls a run may make; an answer that still asks for tools at the last one ends
   * the run with {@link AgentLimitException}. At least 1. Defaults to {@value Agent#DEFAULT_MAX_STEPS}.
   */
  public Agent.Builder maxSteps(int maxSteps) {
    if (maxSteps < 1) {
      throw new IllegalArgumentException("maxSteps < 1: " + maxSteps);
    }
    this.maxSteps = maxSteps;
    return self();
  }

  /**
   * Sets how many tool calls a run may make in all; an answer asking for more than are left ends the
   * run with {@link AgentLimitException} before any of them runs. At least 1. Defaults to
   * {@link Agent#DEFAULT_MAX_TOOL_CALLS} (no limit of its own).
   */
  public Agent.Builder maxToolCalls(int maxToolCalls) {
    if (maxToolCalls < 1) {
      throw new IllegalArgumentException("maxToolCalls < 1: " + maxToolCalls);
    }
    this.maxToolCalls = maxToolCalls;
    return self();
  }

  /**
   * Sets how a run fans out. Its {@linkplain FanoutOptions.Builder#timeout timeout} (counted from the run's
   * start) or {@linkplain FanoutOptions.Builder#deadline deadline}, and its clock, bound the whole run: its
   * chat calls, tools and nested agents are charged against it, and an enclosing context's earlier deadline
   * wins. Its {@linkplain FanoutOptions.Builder#maxConcurrency maxConcurrency} bounds how many tool calls of
   * one step run at once (1 runs them one after another); the others wait their turn in the model's order.
   * Its context, if set, is where {@link Agent#runAsync(String)} runs. Its labeler is not used: a run is
   * labelled by the agent's name, its tool calls by the tools' names. Defaults to {@link Agent#DEFAULT_OPTIONS}.
   */
  public Agent.Builder options(FanoutOptions options) {
    this.options = Objects.requireNonNull(options, "options == null");
    return self();
  }

  /**
   * Sets where {@link #addBlockingTool blocking tools} run; the caller owns it. Defaults to null: a
   * shared pool of daemon threads (virtual threads on Java 21+) that end when idle.
   */
  public Agent.Builder toolExecutor(Executor toolExecutor) {
    this.toolExecutor = Objects.requireNonNull(toolExecutor, "toolExecutor == null");
    return self();
  }

  /** Sets what a failed tool call does to the run. Defaults to {@link OnToolFailure#REPORT_TO_MODEL}. */
  public Agent.Builder onToolFailure(OnToolFailure onToolFailure) {
    this.onToolFailure = Objects.requireNonNull(onToolFailure, "onToolFailure == null");
    return self();
  }

  private Executor executor() {
    return toolExecutor != null ? toolExecutor : BlockingTools.sharedExecutor();
  }

  /**
   * Returns the agent.
   *
   * @throws IllegalStateException if no model service ({@link #chat}, {@link #messages} or
   *     {@link #agentModel}) or, with chat or messages, no {@link #model} was set
   */
  public Agent build() {
    resolveModel();
    return new Agent(this);
  }

  /** The model the agent asks, from {@link #chat}, {@link #messages} or {@link #agentModel}; fails if none is set. */
  AgentModel resolveModel() {
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

  private Agent.Builder self() {
    return (Agent.Builder) this;
  }
}
