package dev.fanout.samples.cli;

import dev.fanout.FanoutClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The flags every sample takes: where its calls go, how slow the embedded backend is, and where its report
 * and timeline are written. A picocli mixin.
 */
public final class CommonOptions {
  /** The embedded backend's latency: one second, as in the source document. */
  public static final Duration DEFAULT_LATENCY = Duration.ofSeconds(1);
  /** The chat model asked for when {@code --model} is not given, with the default provider. */
  public static final String DEFAULT_MODEL = "gpt-4o-mini";
  /** The samples whose model calls go to Anthropic's Messages API with {@code --provider anthropic}. */
  static final java.util.List<String> ANTHROPIC_SAMPLES = java.util.List.of("agents", "batch");
  /** The model API asked when {@code --provider} is not given: OpenAI's. */
  public static final Provider DEFAULT_PROVIDER = Provider.OPENAI;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--base-url", paramLabel = "URL",
      description = "Send every call to this API instead of starting the embedded mock server. "
          + "Defaults to none (an embedded MockBackend on a free loopback port).")
  String baseUrl;

  @Option(names = "--latency", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Latency of the embedded mock server per response, like 1s, 250ms or 0. "
          + "Ignored with --base-url. Defaults to 1s.")
  Duration latency = DEFAULT_LATENCY;

  @Option(names = "--api-key", paramLabel = "KEY",
      description = "API key (a bearer token for OpenAI, x-api-key for Anthropic). Defaults to $FANOUT_API_KEY, "
          + "then $OPENAI_API_KEY (or $ANTHROPIC_API_KEY with --provider anthropic), then none.")
  String apiKey;

  @Option(names = "--provider", paramLabel = "openai|anthropic", converter = ProviderConverter.class,
      description = "Model API of the agents and batch samples: OpenAI's chat completions or "
          + "Anthropic's Messages API (other samples accept only openai). Defaults to openai.")
  Provider provider = DEFAULT_PROVIDER;

  @Option(names = "--ca-cert", paramLabel = "FILE",
      description = "Trust the CA certificate(s) in this PEM file beside the JDK's, for an HTTPS --base-url with a "
          + "private CA (the mock server's --ca-out). Defaults to none.")
  Path caCert;

  @Option(names = "--model", paramLabel = "MODEL",
      description = "Model to ask. Defaults to " + DEFAULT_MODEL + ", or claude-haiku-4-5 with --provider anthropic.")
  String model;

  @Option(names = "--report-json", paramLabel = "FILE",
      description = "Write what each mode did (timings, attempts, outcomes) as JSON to FILE. Defaults to none.")
  Path reportJson;

  @Option(names = "--timeline", paramLabel = "FILE",
      description = "Draw every call of every mode as a Gantt chart to FILE (.svg or .html). Defaults to none.")
  Path timeline;

  public String baseUrl() {
    return baseUrl;
  }

  public Duration latency() {
    return latency;
  }

  /** Returns {@code --model}, else the provider's default model. */
  public String model() {
    return model != null ? model : provider.defaultModel();
  }

  public Provider provider() {
    return provider;
  }

  public Path reportJson() {
    return reportJson;
  }

  public Path timeline() {
    return timeline;
  }

  /** The {@code --ca-cert} file; null without it. */
  public Path caCert() {
    return caCert;
  }

  /**
   * Returns the API key: {@code --api-key}, else {@code FANOUT_API_KEY}, else the provider's variable
   * ({@code OPENAI_API_KEY} or {@code ANTHROPIC_API_KEY}), else null.
   */
  public String apiKey() {
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey;
    }
    String fanout = System.getenv("FANOUT_API_KEY");
    if (fanout != null && !fanout.isBlank()) {
      return fanout;
    }
    String own = System.getenv(provider.keyVariable());
    return own == null || own.isBlank() ? null : own;
  }

  /** Checks what picocli cannot: the combination of flags. Throws a {@link ParameterException} (exit 2). */
  public void validate() {
    if (baseUrl != null) {
      String lower = baseUrl.toLowerCase(Locale.ROOT);
      if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
        throw new ParameterException(mixee.commandLine(),
            "Invalid value for option '--base-url': '" + baseUrl + "' is not an http:// or https:// URL");
      }
    }
    String command = mixee.commandLine().getCommandName();
    if (provider == Provider.ANTHROPIC && !ANTHROPIC_SAMPLES.contains(command)) {
      throw new ParameterException(mixee.commandLine(), "Invalid value for option '--provider': " + command
          + " does not call a model on Anthropic's Messages API (only " + String.join(" and ", ANTHROPIC_SAMPLES)
          + " do)");
    }
    // What the client builder would refuse is a bad flag too (exit 2), not a failed run.
    if (baseUrl != null) {
      builderAccepts("Invalid value for option '--base-url'", b -> b.baseUrl(baseUrl));
    }
    if (caCert != null) {
      builderAccepts("Invalid value for option '--ca-cert'", b -> b.trustedCertificates(caCert));
    }
    String key = apiKey();
    if (key != null) { // the builder's message never shows the key
      builderAccepts("Invalid API key (--api-key, $FANOUT_API_KEY or $" + provider.keyVariable() + ")",
          b -> b.apiKey(key));
    }
    if (timeline != null) {
      String name = timeline.getFileName().toString().toLowerCase(Locale.ROOT);
      if (!name.endsWith(".svg") && !name.endsWith(".html") && !name.endsWith(".htm")) {
        throw new ParameterException(mixee.commandLine(),
            "Invalid value for option '--timeline': '" + timeline + "' must end in .svg or .html");
      }
    }
  }

  /** Gives a flag's value to a client builder; the builder's refusal becomes a bad flag named by {@code what}. */
  private void builderAccepts(String what, Consumer<FanoutClient.Builder> setter) {
    try {
      setter.accept(FanoutClient.builder());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(mixee.commandLine(), what + ": " + e.getMessage());
    }
  }
}
