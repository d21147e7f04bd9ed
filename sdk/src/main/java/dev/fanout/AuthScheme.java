package dev.fanout;

/**
 * How a client sends its API key: the header each provider expects. The key is redacted wherever the SDK
 * writes a request or an error (logs, traces, exceptions), whichever header carries it.
 */
public enum AuthScheme {
  /** {@code Authorization: Bearer KEY}: OpenAI and most OpenAI-compatible servers. */
  BEARER("Authorization", "Bearer "),
  /** {@code api-key: KEY}: Azure OpenAI. */
  API_KEY("api-key", ""),
  /** {@code x-api-key: KEY}: Anthropic (which also wants an {@code anthropic-version} default header). */
  X_API_KEY("x-api-key", "");

  private final String header;
  private final String prefix;

  AuthScheme(String header, String prefix) {
    this.header = header;
    this.prefix = prefix;
  }

  /** The header name that carries the key. */
  public String header() {
    return header;
  }

  /** The header's value for {@code apiKey}. */
  public String value(String apiKey) {
    return prefix + apiKey;
  }
}
