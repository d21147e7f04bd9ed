package dev.fanout.samples;

import picocli.CommandLine.Command;

@Command(name = "agents")
final class AgentsSample implements java.util.concurrent.Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
