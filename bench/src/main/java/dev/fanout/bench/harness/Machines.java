package dev.fanout.bench.harness;

import dev.fanout.bench.ProcFiles;
import dev.fanout.bench.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the harness reports about the machine and the runtimes it starts. */
public final class Machines {
  /** The feature release in a {@code java -version} runtime line. */
  private static final Pattern BUILD = Pattern.compile("\\(build (\\d+)");

  private Machines() {}

  /** The 1-, 5- and 15-minute load averages of {@code /proc/loadavg}, or "unknown" where there is none. */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** Total memory in GiB from {@code /proc/meminfo}, or -1. */
  static double memoryGib() {
    OptionalLong kib = ProcFiles.number(Path.of("/proc/meminfo"), "MemTotal:");
    return kib.isPresent() ? Math.round(kib.getAsLong() / 1024.0 / 1024.0 * 10) / 10.0 : -1;
  }

  /** The first {@code model name} of {@code /proc/cpuinfo}, or "unknown". */
  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
      }
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
    return "unknown";
  }

  /** The version lines of {@code java -version} for the given launcher, joined, or "unknown". */
  public static String javaVersion(String java) {
    String out = Processes.outputIfOk(java, "-version");
    if (out == null) return "unknown (" + java + ")";
    String[] lines = out.trim().split("\n");
    return (lines.length > 1 ? lines[1] : lines[0]).trim();
  }

  /**
   * The feature release of a {@link #javaVersion} line ({@code 17} of {@code OpenJDK Runtime Environment (build
   * 17.0.15+6)}), or 0 if the line names none.
   */
  static int javaFeature(String runtime) {
    Matcher m = BUILD.matcher(runtime);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** "Python X, aiohttp Y" when {@code python} can import aiohttp, else null. */
  static String pythonWithAiohttp(String python) {
    String out = Processes.outputIfOk(python, "-c",
        "import sys, aiohttp; print('Python ' + sys.version.split()[0] + ', aiohttp ' + aiohttp.__version__)");
    if (out == null || !out.startsWith("Python ")) return null;
    return out.trim();
  }
}
