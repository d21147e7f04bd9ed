package dev.fanout.langchain4j.internal;

import dev.fanout.FanoutClient;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What every chat model's settings hold, whichever API it speaks: the client, the default request parameters
 * and the listeners. Immutable.
 */
public abstract class ModelSettings {
  private final FanoutClient client;
  private final ChatRequestParameters defaults;
  private final List<ChatModelListener> listeners;

  ModelSettings(Raw raw, ChatRequestParameters defaults) {
    this.client = raw.client;
    this.defaults = defaults;
    this.listeners = raw.listeners == null ? List.of() : List.copyOf(raw.listeners);
  }

  public final FanoutClient client() {
    return client;
  }

  public final ChatRequestParameters defaultRequestParameters() {
    return defaults;
  }

  public final List<ChatModelListener> listeners() {
    return listeners;
  }

  static <T> T or(T preferred, T fallback) {
    return preferred != null ? preferred : fallback;
  }

  /**
   * The raw values every model's builder collects; each API's settings add their own. {@code build()} checks
   * them and names the bad one.
   */
  public abstract static class Raw {
    public FanoutClient client;
    public ChatRequestParameters defaultRequestParameters;
    public String modelName;
    public Double temperature;
    public Double topP;
    public Integer maxTokens;
    public List<ChatModelListener> listeners;

    Raw() {}

    public final void listeners(List<ChatModelListener> value) {
      if (value == null) {
        listeners = null;
        return;
      }
      List<ChatModelListener> copy = new ArrayList<>(value.size());
      for (int i = 0; i < value.size(); i++) {
        copy.add(Objects.requireNonNull(value.get(i), "listeners[" + i + "] == null"));
      }
      listeners = copy;
    }

    /** {@link #defaultRequestParameters}, or empty parameters when none is set; requires the client. */
    final ChatRequestParameters common() {
      Objects.requireNonNull(client, "client == null");
      return defaultRequestParameters != null ? defaultRequestParameters : ChatRequestParameters.builder().build();
    }

    /** Checks the options every API has in common, once resolved into {@code settings}. */
    static void checkCommon(ModelSettings settings) {
      ChatRequestParameters d = settings.defaultRequestParameters();
      if (d.modelName() == null || d.modelName().isBlank()) {
        throw new IllegalArgumentException(
            "modelName == null: set modelName(..) or defaultRequestParameters' modelName");
      }
    }
  }
}
