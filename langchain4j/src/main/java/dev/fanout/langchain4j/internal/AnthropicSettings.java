package dev.fanout.langchain4j.internal;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ToolChoice;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What both Anthropic chat models' builders collect, checked and resolved once: the client, the default
 * request parameters (each individual option taking precedence over the same one in
 * {@code defaultRequestParameters}, as in {@code AnthropicChatModel}), the Anthropic-only options and the
 * listeners. Immutable.
 */
public final class AnthropicSettings extends ModelSettings {
  /** The {@code max_tokens} sent when none is set: 1024, as LangChain4j's {@code AnthropicChatModel} sends. */
  public static final int DEFAULT_MAX_TOKENS = 1024;

  private final String toolChoiceName;
  private final boolean disableParallelToolUse;
  private final String userId;
  private final Map<String, Object> customParameters;

  private AnthropicSettings(Raw raw, ChatRequestParameters common) {
    super(raw, ChatRequestParameters.builder()
        .overrideWith(common)
        .modelName(or(raw.modelName, common.modelName()))
        .temperature(or(raw.temperature, common.temperature()))
        .topP(or(raw.topP, common.topP()))
        .topK(or(raw.topK, common.topK()))
        .maxOutputTokens(or(raw.maxTokens, or(common.maxOutputTokens(), DEFAULT_MAX_TOKENS)))
        .stopSequences(or(raw.stopSequences, common.stopSequences()))
        .toolSpecifications(or(raw.toolSpecifications, common.toolSpecifications()))
        .toolChoice(or(raw.toolChoice, common.toolChoice()))
        .build());
    this.toolChoiceName = raw.toolChoiceName;
    this.disableParallelToolUse = raw.disableParallelToolUse != null && raw.disableParallelToolUse;
    this.userId = raw.userId;
    this.customParameters = raw.customParameters == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(raw.customParameters));
  }

  public String toolChoiceName() {
    return toolChoiceName;
  }

  public boolean disableParallelToolUse() {
    return disableParallelToolUse;
  }

  public String userId() {
    return userId;
  }

  public Map<String, Object> customParameters() {
    return customParameters;
  }

  /** The builders' raw values; {@link #build()} checks them and names the bad one. */
  public static final class Raw extends ModelSettings.Raw {
    public Integer topK;
    public List<String> stopSequences;
    public List<ToolSpecification> toolSpecifications;
    public ToolChoice toolChoice;
    public String toolChoiceName;
    public Boolean disableParallelToolUse;
    public String userId;
    public Map<String, Object> customParameters;

    public AnthropicSettings build() {
      AnthropicSettings settings = new AnthropicSettings(this, common());
      checkCommon(settings);
      ChatRequestParameters d = settings.defaultRequestParameters();
      if (d.temperature() != null && !(d.temperature() >= 0 && d.temperature() <= 1)) {
        throw new IllegalArgumentException("temperature not in [0, 1]: " + d.temperature());
      }
      if (d.topP() != null && !(d.topP() > 0 && d.topP() <= 1)) {
        throw new IllegalArgumentException("topP not in (0, 1]: " + d.topP());
      }
      if (d.topK() != null && d.topK() < 1) {
        throw new IllegalArgumentException("topK < 1: " + d.topK());
      }
      if (d.maxOutputTokens() < 1) {
        throw new IllegalArgumentException("maxTokens < 1: " + d.maxOutputTokens());
      }
      if (userId != null && userId.isBlank()) {
        throw new IllegalArgumentException("userId is blank: \"" + userId + "\"");
      }
      if (toolChoiceName != null && toolChoiceName.isBlank()) {
        throw new IllegalArgumentException("toolChoiceName is blank: \"" + toolChoiceName + "\"");
      }
      return settings;
    }
  }
}
