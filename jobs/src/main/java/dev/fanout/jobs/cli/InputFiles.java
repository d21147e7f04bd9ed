package dev.fanout.jobs.cli;

import dev.fanout.common.IoErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether an input file can be read, asked before a command starts, so an unreadable one is bad usage (2). */
final class InputFiles {
  private InputFiles() {}

  /**
   * Returns {@code cannot read FILE: REASON} if {@code file} cannot be opened for reading (missing, a
   * directory, no permission), else empty. Opens and closes it; reads nothing.
   */
  static Optional<String> unreadable(Path file) {
    if (Files.isDirectory(file)) {
      return Optional.of("cannot read " + file + ": is a directory");
    }
    try (InputStream ignored = Files.newInputStream(file)) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot read " + file + ": " + IoErrors.reason(e));
    }
  }
}
