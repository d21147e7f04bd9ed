package dev.fanout.langchain4j.internal;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.fanout.CallOptions;
import dev.fanout.chat.ChatService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What both chat models' builders collect, checked and resolved once: the client, the default request
 * parameters (each individual option taking precedence over the same one in {@code defaultRequestParameters},
 * as in {@code OpenAiChatModel}), the OpenAI-only options and the listeners. Immutable.
 */
public final class ChatSettings extends ModelSettings {
  private final Integer maxCompletionTokens;
  private final Integer seed;
  private final Boolean parallelToolCalls;
  private final String user;
  private final boolean strictTools;
  private final boolean strictJsonSchema;
  private final Map<String, String> customHeaders;
  private final boolean logRequests;
  private final boolean logResponses;
  private final ChatService chat;

  private ChatSettings(Raw raw, ChatRequestParameters common) {
    super(raw, ChatRequestParameters.builder()
        .overrideWith(common)
        .modelName(or(raw.modelName, common.modelName()))
        .temperature(or(raw.temperature, common.temperature()))
        .topP(or(raw.topP, common.topP()))
        .frequencyPenalty(or(raw.frequencyPenalty, common.frequencyPenalty()))
        .presencePenalty(or(raw.presencePenalty, common.presencePenalty()))
        .maxOutputTokens(or(raw.maxTokens, common.maxOutputTokens()))
        .stopSequences(or(raw.stop, common.stopSequences()))
        .responseFormat(or(raw.responseFormat, common.responseFormat()))
        .build());
    this.maxCompletionTokens = raw.maxCompletionTokens;
    this.seed = raw.seed;
    this.parallelToolCalls = raw.parallelToolCalls;
    this.user = raw.user;
    this.strictTools = raw.strictTools != null && raw.strictTools;
    this.strictJsonSchema = raw.strictJsonSchema != null && raw.strictJsonSchema;
    this.customHeaders = raw.customHeaders == null ? Map.of() : java.util.Collections.unmodifiableMap(raw.customHeaders);
    this.logRequests = raw.logRequests != null && raw.logRequests;
    this.logResponses = raw.logResponses != null && raw.logResponses;
    CallOptions.Builder headers = CallOptions.builder();
    customHeaders.forEach(headers::header); // refuses Authorization, naming it
    this.chat = customHeaders.isEmpty() ? client().chat() : client().chat().withOptions(headers.build());
  }

  /** The client's chat service, with the custom headers on every request. */
  public ChatService chat() {
    return chat;
  }

  public Map<String, String> customHeaders() {
    return customHeaders;
  }

  public boolean logRequests() {
    return logRequests;
  }

  public boolean logResponses() {
    return logResponses;
  }

  public Integer maxCompletionTokens() {
    return maxCompletionTokens;
  }

  public Integer seed() {
    return seed;
  }

  public Boolean parallelToolCalls() {
    return parallelToolCalls;
  }

  public String user() {
    return user;
  }

  public boolean strictTools() {
    return strictTools;
  }

  public boolean strictJsonSchema() {
    return strictJsonSchema;
  }

  /** The builders' raw values; {@link #build()} checks them and names the bad one. */
  public static final class Raw extends ModelSettings.Raw {
    public Double frequencyPenalty;
    public Double presencePenalty;
    public Integer maxCompletionTokens;
    public List<String> stop;
    public Integer seed;
    public String user;
    public Boolean parallelToolCalls;
    public Boolean strictTools;
    public Boolean strictJsonSchema;
    public ResponseFormat responseFormat;
    public Map<String, String> customHeaders;
    public Boolean logRequests;
    public Boolean logResponses;

    public void customHeaders(Map<String, String> value) {
      if (value == null) {
        customHeaders = null;
        return;
      }
      Map<String, String> copy = new LinkedHashMap<>();
      value.forEach((name, v) -> {
        Objects.requireNonNull(name, "customHeaders has a null name");
        copy.put(name, Objects.requireNonNull(v, "customHeaders." + name + " == null"));
      });
      customHeaders = copy;
    }

    public ChatSettings build() {
      ChatSettings settings = new ChatSettings(this, common());
      checkCommon(settings);
      ChatRequestParameters d = settings.defaultRequestParameters();
      range("temperature", d.temperature(), 0, 2);
      range("topP", d.topP(), 0, 1);
      range("frequencyPenalty", d.frequencyPenalty(), -2, 2);
      range("presencePenalty", d.presencePenalty(), -2, 2);
      positive("maxTokens", d.maxOutputTokens());
      positive("maxCompletionTokens", maxCompletionTokens);
      if (d.topK() != null) {
        throw new IllegalArgumentException("topK is not supported by OpenAI's chat: " + d.topK());
      }
      if (d.stopSequences() != null && d.stopSequences().size() > dev.fanout.chat.ChatRequest.MAX_STOP_SEQUENCES) {
        throw new IllegalArgumentException("stop has more than "
            + dev.fanout.chat.ChatRequest.MAX_STOP_SEQUENCES + " sequences: " + d.stopSequences().size());
      }
      if (user != null && user.isBlank()) {
        throw new IllegalArgumentException("user is blank: \"" + user + "\"");
      }
      return settings;
    }

    private static void range(String name, Double value, double min, double max) {
      if (value != null && !(value >= min && value <= max)) {
        throw new IllegalArgumentException(name + " not in [" + fmt(min) + ", " + fmt(max) + "]: " + value);
      }
    }

    private static void positive(String name, Integer value) {
      if (value != null && value < 1) {
        throw new IllegalArgumentException(name + " < 1: " + value);
      }
    }

    private static String fmt(double d) {
      return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
  }
}
