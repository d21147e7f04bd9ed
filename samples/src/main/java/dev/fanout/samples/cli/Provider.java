package dev.fanout.samples.cli;

import java.util.Locale;

/** Which model API a sample's model calls go to: OpenAI's chat completions or Anthropic's Messages API. */
public enum Provider {
  OPENAI("gpt-4o-mini", "OPENAI_API_KEY"),
  ANTHROPIC("claude-haiku-4-5", "ANTHROPIC_API_KEY");

  private final String defaultModel;
  private final String keyVariable;

  Provider(String defaultModel, String keyVariable) {
    this.defaultModel = defaultModel;
    this.keyVariable = keyVariable;
  }

  /** Returns the model a sample asks for when {@code --model} is not given. */
  public String defaultModel() {
    return defaultModel;
  }

  /** Returns the environment variable the provider's API key is read from. */
  public String keyVariable() {
    return keyVariable;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
