package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.internal.ModelSettings;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.List;

/**
 * The options every chat model's builder has, whichever API the model speaks; {@link ChatModelBuilder} and
 * {@link AnthropicModelBuilder} add their API's own.
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <R> the raw values of the API's settings
 */
abstract class ModelBuilder<B extends ModelBuilder<B, R>, R extends ModelSettings.Raw> {
  final R raw;

  ModelBuilder(R raw) {
    this.raw = raw;
  }

  /** Returns this builder as its concrete type. */
  abstract B self();

  /** The client every request goes through; required. This model does not close it. */
  public final B client(FanoutClient client) {
    raw.client = client;
    return self();
  }

  /**
   * Default common parameters (any {@link ChatRequestParameters}, tools and tool choice included).
   * Defaults to none.
   */
  public final B defaultRequestParameters(ChatRequestParameters parameters) {
    raw.defaultRequestParameters = parameters;
    return self();
  }

  /**
   * The model, such as {@code gpt-4o-mini} or {@code claude-sonnet-4-5}; required here or in
   * {@link #defaultRequestParameters}.
   */
  public final B modelName(String modelName) {
    raw.modelName = modelName;
    return self();
  }

  /**
   * Sampling temperature ({@code temperature}): 0 to 2 on OpenAI's chat completions, 0 to 1 on Anthropic's
   * Messages API. Defaults to not sent.
   */
  public final B temperature(Double temperature) {
    raw.temperature = temperature;
    return self();
  }

  /** Nucleus sampling, 0 to 1 ({@code top_p}). Defaults to not sent. */
  public final B topP(Double topP) {
    raw.topP = topP;
    return self();
  }

  /** Listeners that observe every request, response and error, in order. Defaults to none. */
  public final B listeners(List<ChatModelListener> listeners) {
    raw.listeners(listeners);
    return self();
  }
}
