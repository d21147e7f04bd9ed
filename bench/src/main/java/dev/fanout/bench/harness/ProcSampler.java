package dev.fanout.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples another process's {@code /proc/<pid>/status} and {@code /proc/<pid>/stat} every few
 * milliseconds while it runs: peak OS threads, peak resident set ({@code VmHWM}) and CPU seconds. Works
 * for any process (the Python client included); on a system without {@code /proc} every figure stays -1.
 */
final class ProcSampler implements AutoCloseable {
  /** Clock ticks per second of {@code /proc/<pid>/stat}: 100 on every Linux this runs on. */
  private static final double CLOCK_TICKS_PER_SECOND = 100.0;

  private final long pid;
  private final Thread thread;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private volatile int peakThreads = -1;
  private volatile long peakRssKib = -1;
  private volatile double cpuSeconds = -1;

  ProcSampler(long pid, long periodMillis) {
    this.pid = pid;
    this.thread = new Thread(() -> {
      while (running.get()) {
        sample();
        try {
          Thread.sleep(periodMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }, "proc-sampler-" + pid);
    thread.setDaemon(true);
    thread.start();
  }

  /** Takes one sample now; a process that has exited leaves the last figures unchanged. */
  void sample() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("Threads:")) {
          peakThreads = Math.max(peakThreads, Integer.parseInt(line.substring(8).trim()));
        } else if (line.startsWith("VmHWM:")) {
          peakRssKib = Math.max(peakRssKib, Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      cpuSeconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      // The process is gone (or there is no /proc): keep the last sample.
    }
  }

  int peakThreads() {
    return peakThreads;
  }

  long peakRssKib() {
    return peakRssKib;
  }

  double cpuSeconds() {
    return cpuSeconds;
  }

  @Override
  public void close() {
    running.set(false);
    thread.interrupt();
  }
}
