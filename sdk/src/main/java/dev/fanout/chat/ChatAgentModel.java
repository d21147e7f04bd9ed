package dev.fanout.chat;

import dev.fanout.CallOptions;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/** OpenAI's chat completions as an {@link AgentModel}. */
final class ChatAgentModel implements AgentModel {
  private final ChatService chat;
  private final String model;
  private final UnaryOperator<ChatRequest.Builder> request;

  ChatAgentModel(ChatService chat, String model, UnaryOperator<ChatRequest.Builder> request) {
    this.chat = chat;
    this.model = model;
    this.request = request;
  }

  @Override
  public CompletableFuture<ChatCompletion> next(List<ChatMessage> conversation, List<Tool> tools, CallOptions options) {
    ChatRequest.Builder b = request.apply(ChatRequest.builder().model(model));
    Objects.requireNonNull(b, "request customizer returned null");
    return chat.withOptions(options).createAsync(b.model(model).messages(conversation).tools(tools).build());
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public String toString() {
    return "openai " + model;
  }
}
