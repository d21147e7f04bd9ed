package dev.fanout.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Figures the benchmark reads from Linux's {@code /proc} files, such as a process's resident set. */
public final class ProcFiles {
  private ProcFiles() {}

  /**
   * The number on the first line of {@code file} that starts with {@code key}, in the file's own unit: for
   * example {@code VmRSS:} of {@code /proc/PID/status} in kB. Empty where the file, the line or a number on it
   * is missing (a process that has exited, a system without {@code /proc}).
   */
  public static OptionalLong number(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }
}
