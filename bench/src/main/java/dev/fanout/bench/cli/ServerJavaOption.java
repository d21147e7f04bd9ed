package dev.fanout.bench.cli;

import picocli.CommandLine.Option;

/**
 * The {@code --server-java} option of a command that starts backend and client JVMs: the backends' own
 * launcher, beside {@link JavaOption}'s. A picocli mixin.
 */
public final class ServerJavaOption {
  @Option(names = "--server-java", paramLabel = "JAVA",
      description = "The java launcher for the backend JVMs. Defaults to --java.")
  String serverJava;

  /** The backends' launcher: {@code --server-java} if given, else {@code java}'s. */
  public String launcher(JavaOption java) {
    return serverJava != null ? serverJava : java.launcher();
  }
}
