package com.example.modular;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.FanoutChatModel;
import dev.fanout.users.User;
import dev.langchain4j.model.chat.ChatModel;

/** A user's code in a named module: a user lookup through the SDK and a chat through the LangChain4j adapter. */
public final class Lookups implements AutoCloseable {
  private final FanoutClient client;
  private final ChatModel model;

  public Lookups(String baseUrl) {
    client = FanoutClient.builder().baseUrl(baseUrl).build();
    model = FanoutChatModel.builder().client(client).modelName("gpt-4o-mini").build();
  }

  public String userName(long id) {
    User user = client.users().get(id);
    return user.name();
  }

  public String ask(String question) {
    return model.chat(question);
  }

  @Override
  public void close() {
    client.close();
  }
}
