package dev.fanout.jobs.cli;

import dev.fanout.jobs.JobListener;
import dev.fanout.jobs.JobProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Prints a job's progress: on a terminal one line rewritten in place every second; otherwise (a pipe, a
 * file, a log) a plain line every {@code plainEvery}.
 */
final class ProgressPrinter implements JobListener {
  private final PrintWriter out;
  private final boolean live;
  private final long plainEveryNanos;
  private long lastPlainNanos = System.nanoTime();
  private int lastWidth;

  ProgressPrinter(PrintWriter out, boolean live, Duration plainEvery) {
    this.out = out;
    this.live = live;
    this.plainEveryNanos = plainEvery.toNanos();
  }

  static boolean terminal() {
    String term = System.getenv("TERM");
    return System.console() != null && (term == null || !term.equals("dumb"));
  }

  @Override
  public synchronized void onProgress(JobProgress p) {
    String line = describe(p);
    if (live) {
      String padded = line.length() < lastWidth ? line + " ".repeat(lastWidth - line.length()) : line;
      lastWidth = line.length();
      out.print("\r" + padded);
      out.flush();
      return;
    }
    long now = System.nanoTime();
    if (now - lastPlainNanos >= plainEveryNanos) {
      lastPlainNanos = now;
      out.println(line);
      out.flush();
    }
  }

  /** Ends the live line, so that what follows starts on a line of its own. */
  synchronized void finish() {
    if (live && lastWidth > 0) {
      out.println();
      out.flush();
    }
  }

  static String describe(JobProgress p) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "%6.0f s  %d done", p.elapsed().toNanos() / 1e9, p.done()));
    if (p.total().isPresent()) {
      long todo = p.total().getAsLong() - p.skipped();
      s.append(String.format(Locale.ROOT, " of %d", todo));
    }
    s.append(String.format(Locale.ROOT, ", %d failed, %d in flight, %.1f/s, %d 429s, tokens %d in %d out",
        p.failed(), p.inFlight(), p.perSecond(), p.rateLimited(), p.inputTokens(), p.outputTokens()));
    p.eta().ifPresent(eta -> s.append(", ETA ").append(format(eta)));
    return s.toString();
  }

  static String format(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
  }
}
