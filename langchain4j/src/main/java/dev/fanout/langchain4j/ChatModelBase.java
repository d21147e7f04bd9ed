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

  /**
   * Returns {@link ModelProvider#OPEN_AI}, as {@code OpenAiChatModel} does: the model speaks OpenAI's chat
   * completions API, whichever compatible server is behind the client.
   */
  public ModelProvider provider() {
    return ModelProvider.OPEN_AI;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{modelName=" + settings.defaultRequestParameters().modelName() + "}";
  }
}
