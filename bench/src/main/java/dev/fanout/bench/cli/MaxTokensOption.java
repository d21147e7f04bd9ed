package dev.fanout.bench.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --max-tokens} option of a command that sends chat requests: each request's max_tokens. A picocli mixin. */
public final class MaxTokensOption {
  @Option(names = "--max-tokens", defaultValue = "16",
      description = "max_tokens of each request. Defaults to ${DEFAULT-VALUE}.")
  int maxTokens;

  /** Each request's max_tokens. */
  public int maxTokens() {
    return maxTokens;
  }

  /** The option as a child process of the benchmark is given it: {@code --max-tokens N}. */
  public List<String> args() {
    return List.of("--max-tokens", Integer.toString(maxTokens));
  }
}
