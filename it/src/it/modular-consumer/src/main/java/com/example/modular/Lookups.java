package com.example.modular;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.FanoutAnthropicChatModel;
import dev.fanout.langchain4j.FanoutChatModel;
import dev.fanout.messages.Message;
import dev.fanout.messages.MessageRequest;
import dev.fanout.users.User;
import dev.langchain4j.model.chat.ChatModel;

/**
 * A user's code in a named module: a user lookup and an Anthropic message through the SDK, and a chat with each
 * provider through the LangChain4j adapter.
 */
public final class Lookups implements AutoCloseable {
  private final FanoutClient client;
  private final ChatModel model;
  private final ChatModel claude;

  public Lookups(String baseUrl) {
    client = FanoutClient.builder().baseUrl(baseUrl).apiKey("sk-test-key").build();
    model = FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build();
    claude = FanoutAnthropicChatModel.builder().client(client).modelName("claude-test").build();
  }

  public String userName(long id) {
    User user = client.users().get(id);
    return user.name();
  }

  public String ask(String question) {
    return model.chat(question);
  }

  public String askClaude(String question) {
    return claude.chat(question);
  }

  public String message(String question) {
    Message answer = client.messages()
        .create(MessageRequest.builder().model("claude-test").maxTokens(64).addUserMessage(question).build());
    return answer.text();
  }

  @Override
  public void close() {
    client.close();
  }
}
