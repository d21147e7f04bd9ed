package dev.fanout.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** What the benchmark reads back from the processes it starts: a backend's URL, a tool's version line. */
public final class Processes {
  /** The line a backend (the mock, or {@code server}) prints first: {@code Listening on http://127.0.0.1:PORT/}. */
  public static final String LISTENING = "Listening on ";
  /** How long {@link #stop(Process, Duration)} gives a backend to exit on SIGTERM before it kills it: 10 s. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private Processes() {}

  /**
   * Reads {@code backend}'s standard output up to its {@link #LISTENING} line and returns the URL on it,
   * ending in {@code /}; the rest of the output is left unread.
   *
   * @throws IllegalStateException if the output ends first, naming {@code what} (such as "the mock")
   */
  public static String listeningUrl(Process backend, String what) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(backend.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = r.readLine()) != null; ) {
      if (line.startsWith(LISTENING)) {
        String url = line.substring(LISTENING.length()).trim();
        return url.endsWith("/") ? url : url + "/";
      }
    }
    throw new IllegalStateException(what + " printed no '" + LISTENING.trim() + "' line");
  }

  /**
   * Runs {@code command} to its end and returns what it printed (standard output and error, trimmed) if it
   * exited 0; null if it failed or could not be started. An interrupt is kept and gives null.
   */
  public static String outputIfOk(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Whether {@code python -c "import MODULES"} exits 0 ({@code modules} such as {@code openai} or {@code httpx, h2}). */
  public static boolean canImport(String python, String modules) {
    return outputIfOk(python, "-c", "import " + modules) != null;
  }

  /**
   * Stops {@code process}: SIGTERM, then SIGKILL if it has not exited within {@code grace}, and waits up to
   * {@code grace} again for it to go. An interrupt kills it at once and is kept.
   */
  public static void stop(Process process, Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
