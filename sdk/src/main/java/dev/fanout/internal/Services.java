package dev.fanout.internal;

import dev.fanout.chat.ChatService;
import dev.fanout.embeddings.EmbeddingService;
import dev.fanout.json.JsonService;
import dev.fanout.messages.MessagesService;
import dev.fanout.users.UserService;

/**
 * The typed services a client offers, each making its calls through one {@link HttpEngine}.
 *
 * @param users the users API
 * @param chat OpenAI-compatible chat completions
 * @param messages Anthropic's Messages API
 * @param embeddings OpenAI-compatible embeddings
 * @param json any JSON endpoint
 */
public record Services(
    UserService users, ChatService chat, MessagesService messages, EmbeddingService embeddings, JsonService json) {

  /** Returns the services of {@code engine}. */
  public static Services of(HttpEngine engine) {
    return new Services(new UserServiceImpl(engine), new ChatServiceImpl(engine), new MessagesServiceImpl(engine),
        new EmbeddingServiceImpl(engine), new JsonServiceImpl(engine));
  }
}
