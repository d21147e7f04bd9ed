package dev.fanout.langchain4j;

import dev.fanout.langchain4j.internal.ModelSettings;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.List;

/**
 * What every chat model here has in common: its settings, its provider, and the
 * {@code ChatModel}/{@code StreamingChatModel} methods that only read them.
 *
 * @param <S> the settings of the API the model speaks
 */
abstract class ModelBase<S extends ModelSettings> {
  final S settings;
  private final ModelProvider provider;

  ModelBase(S settings, ModelProvider provider) {
    this.settings = settings;
    this.provider = provider;
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
   * Returns the API the model speaks: {@link ModelProvider#OPEN_AI} for OpenAI's chat completions (as
   * {@code OpenAiChatModel} does, whichever compatible server is behind the client),
   * {@link ModelProvider#ANTHROPIC} for Anthropic's Messages API.
   */
  public ModelProvider provider() {
    return provider;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{modelName=" + settings.defaultRequestParameters().modelName() + "}";
  }
}
