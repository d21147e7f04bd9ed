package dev.fanout.bench.cli;

import dev.fanout.common.cli.Ranges;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --rounds} option of the fan-out benchmark and its client processes: how many fan-outs one client
 * process runs, round 1 cold and the last warm. A picocli mixin.
 */
public final class RoundsOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  private int rounds;

  /** Sets {@code --rounds}; fewer than one is a usage error. */
  @Option(names = "--rounds", paramLabel = "ROUNDS", defaultValue = "3",
      description = "Fan-outs per client process: round 1 is cold, the last warm. Defaults to ${DEFAULT-VALUE}.")
  void rounds(int rounds) {
    Ranges.atLeast(mixee, "--rounds", rounds, 1);
    this.rounds = rounds;
  }

  /** The fan-outs per client process, at least one. */
  public int rounds() {
    return rounds;
  }
}
