package dev.fanout.bench.client;

import dev.fanout.bench.ProcFiles;
import java.nio.file.Path;
import java.time.Duration;

/** This process's own resource figures, read at the end of a client run. */
final class ProcSelf {
  private ProcSelf() {}

  /** The peak resident set size in KiB ({@code VmHWM} in {@code /proc/self/status}), or -1 where unknown. */
  static long peakRssKib() {
    return ProcFiles.number(Path.of("/proc/self/status"), "VmHWM:").orElse(-1);
  }

  /** CPU time used by this process so far, or {@link Duration#ZERO} where the platform does not say. */
  static Duration cpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
  }
}
