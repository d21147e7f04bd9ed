package dev.fanout.bench.cli;

import dev.fanout.FanoutClient;
import dev.fanout.GovernorPolicy;
import picocli.CommandLine.Option;

/** The {@code --no-governor} option of a command that builds a {@link FanoutClient}. A picocli mixin. */
public final class GovernorOption {
  @Option(names = "--no-governor",
      description = "Turn the client's rate-limit governor off. Defaults to false (the client's default: on).")
  boolean noGovernor;

  /** Whether {@code --no-governor} was given. */
  public boolean off() {
    return noGovernor;
  }

  /** Turns {@code builder}'s governor off if {@code --no-governor} was given; returns {@code builder}. */
  public FanoutClient.Builder applyTo(FanoutClient.Builder builder) {
    if (noGovernor) {
      builder.governor(GovernorPolicy.disabled());
    }
    return builder;
  }
}
