package dev.fanout.bench.cli;

import dev.fanout.common.cli.Ranges;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options the tail workload ({@code tail}) and its client processes ({@code tail-client}) share: the
 * lookups per fan-out and the hedging budget. A picocli mixin.
 */
public final class TailOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--n", defaultValue = "200", description = "Lookups per fan-out. Defaults to ${DEFAULT-VALUE}.")
  int n;

  @Option(names = "--budget", defaultValue = "0.1",
      description = "The hedging budget, extra requests as a share of calls. Defaults to ${DEFAULT-VALUE}.")
  double budget;

  /** The lookups per fan-out; fewer than one is a usage error. */
  public int n() {
    Ranges.atLeast(mixee, "--n", n, 1);
    return n;
  }

  /** The hedging budget, extra requests as a share of calls. */
  public double budget() {
    return budget;
  }

  /** The options as a {@code tail-client} process is given them: {@code --n N --budget B}. */
  public List<String> args() {
    return List.of("--n", Integer.toString(n()), "--budget", Double.toString(budget));
  }
}
