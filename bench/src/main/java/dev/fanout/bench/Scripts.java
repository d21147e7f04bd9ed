package dev.fanout.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The Python scripts shipped in the bench jar, which the benchmark copies out before it runs them. */
public final class Scripts {
  /** The aiohttp fan-out client the fan-out and TLS benchmarks run. */
  public static final String AIOHTTP_FANOUT = "/dev/fanout/bench/aiohttp_fanout.py";

  private Scripts() {}

  /**
   * Copies the script at class-path {@code resource} (an absolute name such as {@link #AIOHTTP_FANOUT}) into
   * {@code dir}, under its own file name, replacing what is there; returns the copy's path.
   *
   * @throws IOException if the jar lacks {@code resource}, naming it, or the copy fails
   */
  public static Path copy(String resource, Path dir) throws IOException {
    Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
    try (InputStream in = Scripts.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing bench resource " + resource);
      }
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }
}
