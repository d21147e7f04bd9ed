package dev.fanout;

import java.util.Locale;

/**
 * What a client logs of each request and response it sends, on the SLF4J logger {@code dev.fanout.wire} at
 * INFO: for when a call does not do what you expect. Credentials are redacted (the API key, whichever header
 * carries it, cookies, and any echo of them), and headers and bodies are cut short.
 *
 * <p>Turn it on with {@link FanoutClient.Builder#wireLog(WireLog)} or, without a code change, the environment
 * variable {@value #ENV} ({@code FANOUT_LOG=headers} or {@code FANOUT_LOG=body}), as openai-java's
 * {@code OPENAI_LOG} does.
 */
public enum WireLog {
  /** Nothing. */
  NONE,
  /** Method, URL, status, time, and headers. */
  HEADERS,
  /** As {@link #HEADERS}, and the text bodies (JSON, text, event streams' first bytes), at most 4 KiB each. */
  BODY;

  /** The environment variable read when no level is set on the builder: {@code headers}, {@code body}, {@code none}. */
  public static final String ENV = "FANOUT_LOG";

  /**
   * Parses {@code none}, {@code headers} or {@code body} (case-insensitive); {@code debug} and {@code info}
   * mean {@code headers}, as in openai-java.
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static WireLog parse(String value) {
    if (value == null) throw new IllegalArgumentException("wire log level == null");
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "":
      case "none":
      case "off":
        return NONE;
      case "headers":
      case "debug":
      case "info":
        return HEADERS;
      case "body":
      case "bodies":
        return BODY;
      default:
        throw new IllegalArgumentException(ENV + " is not none, headers or body: " + value);
    }
  }

  /** The level {@value #ENV} asks for; {@link #NONE} when it is unset or not understood (then said once on WARN). */
  static WireLog fromEnvironment() {
    String v = System.getenv(ENV);
    if (v == null) return NONE;
    try {
      return parse(v);
    } catch (IllegalArgumentException e) {
      org.slf4j.LoggerFactory.getLogger("dev.fanout").warn("{}; logging no requests", e.getMessage());
      return NONE;
    }
  }
}
