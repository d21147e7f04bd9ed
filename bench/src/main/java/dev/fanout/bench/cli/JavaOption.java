package dev.fanout.bench.cli;

import dev.fanout.bench.ChildJvms;
import picocli.CommandLine.Option;

/** The {@code --java} option of a command that starts JVMs (backends, clients): their launcher. A picocli mixin. */
public final class JavaOption {
  @Option(names = "--java", paramLabel = "JAVA",
      description = "The java launcher for the JVMs this command starts. Defaults to this JVM's.")
  String java;

  /** The launcher: {@code --java} if given, else this JVM's own. */
  public String launcher() {
    return ChildJvms.launcher(java);
  }
}
