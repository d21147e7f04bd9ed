package dev.fanout.jobs.cli;

import dev.fanout.FanoutClient;
import picocli.CommandLine.Option;

/** The API to call: base URL and key. The key is never printed. */
final class ClientOptions {
  static final String DEFAULT_BASE_URL = "https://api.openai.com";

  @Option(names = "--base-url", paramLabel = "URL",
      description = "The API's base URL; a line's url (/v1/chat/completions) is resolved under it. "
          + "Defaults to " + DEFAULT_BASE_URL + ".")
  String baseUrl = DEFAULT_BASE_URL;

  @Option(names = "--api-key", paramLabel = "KEY",
      description = "The API key, sent as a bearer token. Defaults to $OPENAI_API_KEY.")
  String apiKey;

  FanoutClient.Builder client() {
    FanoutClient.Builder b = FanoutClient.builder().baseUrl(baseUrl);
    String key = apiKey != null ? apiKey : System.getenv("OPENAI_API_KEY");
    if (key != null && !key.isBlank()) {
      b.apiKey(key);
    }
    return b;
  }
}
