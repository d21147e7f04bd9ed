package dev.fanout.samples;

import picocli.CommandLine.Command;

@Command(name = "rag")
final class RagSample implements java.util.concurrent.Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
