package dev.fanout.chat;

import dev.fanout.CallOptions;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/** OpenAI's chat completions as an {@link AgentModel}. */
record ChatAgentModel(ChatService chat, String model, UnaryOperator<ChatRequest.Builder> request)
    implements AgentModel {

  @Override
  public CompletableFuture<ChatCompletion> next(List<ChatMessage> conversation, List<Tool> tools, CallOptions options) {
    ChatRequest.Builder b = request.apply(ChatRequest.builder().model(model));
    Objects.requireNonNull(b, "request customizer returned null");
    return chat.withOptions(options).createAsync(b.model(model).messages(conversation).tools(tools).build());
  }

  @Override
  public String toString() {
    return "openai " + model;
  }
}
