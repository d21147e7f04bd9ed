package dev.fanout.langchain4j;

import dev.fanout.langchain4j.internal.ChatSettings;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.List;

/**
 * What {@link FanoutChatModel} and {@link FanoutStreamingChatModel} have in common: their settings, and the
 * {@code ChatModel}/{@code StreamingChatModel} methods that only read them.
 */
abstract class ChatModelBase {
  final ChatSettings settings;

  ChatModelBase(ChatSettings settings) {
    this.settings = settings;
  }

  /** Returns the parameters every request starts from, the builder's options included. */
  public ChatRequestParameters defaultRequestParameters() {
    return settings.defaultRequestParameters();
  }

  /** Returns the listeners that observe every request, response and error, in order. */
  public List<ChatModelListener> listeners() {
    return settings.listeners();
  }

  /** Returns {@link ModelProvider#OTHER}: the server behind the client may be OpenAI or any compatible one. */
  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{modelName=" + settings.defaultRequestParameters().modelName() + "}";
  }
}
