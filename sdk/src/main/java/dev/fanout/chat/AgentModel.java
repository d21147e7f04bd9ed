package dev.fanout.chat;

import dev.fanout.CallOptions;
import dev.fanout.internal.Checks;
import dev.fanout.messages.MessageRequest;
import dev.fanout.messages.MessagesService;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The model an {@link Agent} asks at each step, behind one provider-neutral call: given the conversation so
 * far and the tools on offer, return the model's next answer. Two implementations come with the SDK:
 * {@link #openAi} (chat completions) and {@link #anthropic} (Anthropic's Messages API). Agents with different
 * models nest freely: an Anthropic agent may be another's tool on OpenAI, and the other way round.
 *
 * <p>The conversation is kept in the chat package's shape whatever the provider: {@link ChatMessage}s
 * ({@code system}, {@code user}, {@code assistant} with its {@link ToolCall}s, {@code tool} results) in, a
 * {@link ChatCompletion} out. An implementation translates both ways; it must not block, and the call it
 * makes must run under the given {@link CallOptions} (the run's context, so its deadline and cancel reach it).
 */
public interface AgentModel {
  /** The {@code max_tokens} an Anthropic agent sends unless its request customizer sets one: 4096. */
  int DEFAULT_MAX_TOKENS = 4096;

  /**
   * Starts asking the model for its next answer to {@code conversation}, offering {@code tools}; the call
   * runs under {@code options}.
   */
  CompletableFuture<ChatCompletion> next(List<ChatMessage> conversation, List<Tool> tools, CallOptions options);

  /** Returns the model's name, for reports. */
  String model();

  /**
   * Returns OpenAI's chat completions as an agent's model: each step is a {@link ChatRequest} of
   * {@code model}, adjusted by {@code request} (temperature, parallelToolCalls, ...), on {@code chat}.
   */
  static AgentModel openAi(ChatService chat, String model, UnaryOperator<ChatRequest.Builder> request) {
    return new ChatAgentModel(Objects.requireNonNull(chat, "chat == null"), Checks.notBlank(model, "model"),
        Objects.requireNonNull(request, "request == null"));
  }

  /**
   * Returns Anthropic's Messages API as an agent's model: each step is a {@link MessageRequest} of
   * {@code model} with {@code max_tokens} {@value #DEFAULT_MAX_TOKENS}, adjusted by {@code request}
   * ({@code b -> b.maxTokens(1024).temperature(0.0)}), on {@code messages}. The conversation is translated:
   * system messages into {@code system}, tool calls into {@code tool_use} blocks, tool results into
   * {@code tool_result} blocks of the next user turn; the answer back into a completion whose tool calls
   * carry the {@code tool_use} ids and inputs, {@code stop_reason} as the finish reason ({@code tool_use}
   * as {@code tool_calls}, {@code end_turn} as {@code stop}, {@code max_tokens} as {@code length}).
   */
  static AgentModel anthropic(MessagesService messages, String model, UnaryOperator<MessageRequest.Builder> request) {
    return new MessagesAgentModel(Objects.requireNonNull(messages, "messages == null"), Checks.notBlank(model, "model"),
        Objects.requireNonNull(request, "request == null"));
  }
}
