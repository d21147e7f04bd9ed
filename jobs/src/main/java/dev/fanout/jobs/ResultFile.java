package dev.fanout.jobs;

import dev.fanout.jobs.internal.IdSet;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's output file: results in OpenAI's Batch API output format, one line each, appended as requests
 * complete.
 *
 * <h2>Lines are whole.</h2>
 * Each result is written with one {@code write} of the whole line and its line break, under a lock; a
 * process killed mid-write can leave only the last line cut short, and {@link #open(Path)} cuts such a
 * line off (a final line without its line break, or one that is not a result) before it appends. Lines are
 * handed to the operating system as they are written, so a killed process loses none it wrote; they reach
 * the disk when the system flushes them ({@link #close()} forces them), so a power cut can lose the last
 * ones, which a rerun then sends again.
 *
 * <h2>Resuming.</h2>
 * {@link #open(Path)} reads the {@code custom_id}s already in the file ({@link #contains(String)}); a job
 * sends only the requests whose id is not there, so a rerun after a crash or a stop completes the file with
 * each {@code custom_id} exactly once.
 */
public final class ResultFile implements ResultSink, Closeable {
  private static final Logger log = LoggerFactory.getLogger(ResultFile.class);

  private final Path path;
  private final FileChannel channel;
  private final IdSet done;
  private final long resumedOk;
  private final long resumedFailed;
  private final long truncatedBytes;

  private ResultFile(Path path, FileChannel channel, IdSet done, long resumedOk, long resumedFailed,
      long truncatedBytes) {
    this.path = path;
    this.channel = channel;
    this.done = done;
    this.resumedOk = resumedOk;
    this.resumedFailed = resumedFailed;
    this.truncatedBytes = truncatedBytes;
  }

  /**
   * Opens {@code path} for appending, creating it if needed; reads the results already there and cuts off a
   * final line that a crash left incomplete.
   *
   * @throws IllegalArgumentException if a line other than the last is not a result line (the file is not a
   *     job's output; it is left as it is)
   * @throws UncheckedIOException if the file cannot be read or written
   */
  public static ResultFile open(Path path) {
    Objects.requireNonNull(path, "path == null");
    try {
      FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      try {
        IdSet done = new IdSet();
        long ok = 0;
        long failed = 0;
        long wholeEnd = 0; // the end of the last whole result line
        long position = 0;
        long lineNumber = 0;
        String pendingBad = null;
        channel.position(0);
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        int b;
        while ((b = in.read()) != -1) {
          if (b != '\n') {
            line.write(b);
            continue;
          }
          lineNumber++;
          position += line.size() + 1L;
          if (pendingBad != null) {
            throw new IllegalArgumentException(path + ":" + (lineNumber - 1) + ": not a result line (" + pendingBad
                + "); is this a job's output file?");
          }
          String text = line.toString(StandardCharsets.UTF_8);
          line.reset();
          if (text.isBlank()) {
            wholeEnd = position;
            continue;
          }
          try {
            JobResult r = JobResult.parse(text);
            if (!done.add(r.customId())) {
              log.warn("{}:{}: custom_id \"{}\" appears twice in the output; the first line counts", path,
                  lineNumber, r.customId());
            } else if (r.ok()) {
              ok++;
            } else {
              failed++;
            }
            wholeEnd = position;
          } catch (IllegalArgumentException bad) {
            pendingBad = bad.getMessage(); // allowed only as the last line: a write cut short
          }
        }
        long size = channel.size();
        long cut = size - wholeEnd;
        if (cut > 0) {
          log.warn("{}: cutting off an incomplete last line ({} bytes) left by an interrupted run", path, cut);
          channel.truncate(wholeEnd);
        }
        channel.position(wholeEnd);
        return new ResultFile(path, channel, done, ok, failed, cut);
      } catch (RuntimeException | IOException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + path + ": " + e.getMessage(), e);
    }
  }

  /** Returns whether a result for {@code customId} was in the file when it was opened. */
  @Override
  public boolean contains(String customId) {
    synchronized (done) {
      return done.contains(customId);
    }
  }

  /** The results in the file when it was opened. */
  public long resumed() {
    return resumedOk + resumedFailed;
  }

  /** The 2xx results in the file when it was opened. */
  public long resumedOk() {
    return resumedOk;
  }

  /** The bytes of an incomplete last line cut off when the file was opened; 0 if none. */
  public long truncatedBytes() {
    return truncatedBytes;
  }

  public Path path() {
    return path;
  }

  /** Appends {@code result} as one whole line. */
  @Override
  public synchronized void write(JobResult result) {
    byte[] bytes = (result.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + path + ": " + e.getMessage(), e);
    }
  }

  /** Forces the lines to the disk and closes the file. */
  @Override
  public synchronized void close() {
    try {
      if (channel.isOpen()) {
        channel.force(false);
        channel.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + path + ": " + e.getMessage(), e);
    }
  }
}
