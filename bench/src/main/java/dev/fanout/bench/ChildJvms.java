package dev.fanout.bench;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** What the benchmark's commands give the JVMs they start (backends and clients): a launcher, this JVM's classpath. */
public final class ChildJvms {
  private ChildJvms() {}

  /** The java launcher of a child JVM: {@code given} (a {@code --java} flag) if not null, else this JVM's own. */
  public static String launcher(String given) {
    return given != null ? given : ProcessHandle.current().info().command().orElse("java");
  }

  /** This JVM's classpath with every entry absolute, so a child JVM finds them from any working directory. */
  public static String classpath() {
    String cp = System.getProperty("java.class.path");
    if (cp == null || cp.isBlank()) {
      throw new IllegalStateException("no java.class.path to give child JVMs");
    }
    List<String> abs = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      abs.add(new File(e).getAbsolutePath());
    }
    return String.join(File.pathSeparator, abs);
  }
}
