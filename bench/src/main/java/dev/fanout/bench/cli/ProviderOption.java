package dev.fanout.bench.cli;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --provider} option of the metered benchmark and its client processes: which model API the calls
 * use, against the mock metered the same way. A picocli mixin.
 */
public final class ProviderOption {
  /** The provider ids {@code --provider} accepts. */
  static final List<String> PROVIDERS = List.of("openai", "anthropic");

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  private String provider;

  /** Sets {@code --provider}; anything but openai or anthropic is a usage error. */
  @Option(names = "--provider", defaultValue = "openai",
      description = "openai: chat completions against the mock metered like OpenAI; anthropic: Anthropic messages "
          + "against the mock metered like Anthropic. Defaults to ${DEFAULT-VALUE}.")
  void provider(String provider) {
    if (!PROVIDERS.contains(provider)) {
      throw new ParameterException(mixee.commandLine(),
          "Invalid value for option '--provider': '" + provider + "' (expected openai or anthropic)");
    }
    this.provider = provider;
  }

  /** The provider's id: openai or anthropic. */
  public String id() {
    return provider;
  }

  /** Whether the calls are Anthropic messages (else OpenAI chat completions). */
  public boolean anthropic() {
    return provider.equals("anthropic");
  }

  /** The option as a child process of the benchmark is given it: {@code --provider ID}. */
  public List<String> args() {
    return List.of("--provider", provider);
  }
}
