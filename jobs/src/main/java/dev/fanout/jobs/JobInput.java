package dev.fanout.jobs;

import dev.fanout.common.IoErrors;
import dev.fanout.jobs.internal.IdSet;
import dev.fanout.jobs.internal.LineParser;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The requests of a job: lines of OpenAI's Batch API input format, read lazily (memory does not grow with
 * the input; only the set of {@code custom_id}s seen, about 32 bytes an id, does).
 *
 * <p>A file ({@link #of(Path)}) can be read twice, so a job checks it whole before it sends anything
 * ({@link #check()}): the first bad line (not JSON, a missing or mistyped field, an unknown method, a
 * duplicate {@code custom_id}) fails the job with an {@link InvalidInputException} naming the line, and
 * nothing is sent. A single-pass source ({@link #of(String, Reader)}: standard input, a pipe, a stream) cannot
 * be checked first: each line is checked as it is read, and the first bad one stops reading; the requests
 * already sent finish and are written, and the job then fails with the same exception, its output
 * resumable once the line is fixed. Blank lines are skipped.
 */
public final class JobInput {
  private final String name;
  private final Path path;
  private Reader reader;

  private JobInput(String name, Path path, Reader reader) {
    this.name = name;
    this.path = path;
    this.reader = reader;
  }

  /** A file of requests, UTF-8, one a line; checked whole before a job sends anything. */
  public static JobInput of(Path path) {
    Objects.requireNonNull(path, "path == null");
    return new JobInput(path.toString(), path, null);
  }

  /**
   * A single-pass source of request lines, named {@code name} in error messages; checked line by line as
   * it is read. The job reads it once and closes it.
   */
  public static JobInput of(String name, Reader reader) {
    Objects.requireNonNull(name, "name == null");
    Objects.requireNonNull(reader, "reader == null");
    return new JobInput(name, null, reader);
  }

  /** The input's name in messages: its path, or the name given to a single-pass source. */
  public String name() {
    return name;
  }

  /** Returns whether the input can be read twice, and so checked whole before anything is sent. */
  public boolean checkable() {
    return path != null;
  }

  /**
   * Reads the whole input and checks every line; returns the number of requests.
   *
   * @throws InvalidInputException naming the first bad line
   * @throws IllegalStateException if the input is a single-pass source
   * @throws UncheckedIOException if the file cannot be read
   */
  public long check() {
    if (path == null) {
      throw new IllegalStateException(name + " is a single-pass source: it is checked as it is read");
    }
    try (Requests requests = open()) {
      long n = 0;
      while (requests.hasNext()) {
        requests.next();
        n++;
      }
      return n;
    }
  }

  /**
   * Opens the requests for one pass, each line checked as it is read (duplicates included). A single-pass
   * source can be opened once.
   */
  public Requests open() {
    try {
      if (path != null) {
        return new Requests(name, Files.newBufferedReader(path, StandardCharsets.UTF_8));
      }
      if (reader == null) {
        throw new IllegalStateException(name + " is a single-pass source and was read already");
      }
      Reader r = reader;
      reader = null;
      return new Requests(name, r instanceof BufferedReader b ? b : new BufferedReader(r));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + IoErrors.reason(e), e);
    }
  }

  /** One pass over an input's requests; close it to close the file. */
  public static final class Requests implements Iterator<JobRequest>, Closeable {
    private final String name;
    private final BufferedReader reader;
    private final IdSet seen = new IdSet();
    private long line;
    private JobRequest next;

    private Requests(String name, BufferedReader reader) {
      this.name = name;
      this.reader = reader;
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      try {
        String text;
        while ((text = reader.readLine()) != null) {
          line++;
          if (text.isBlank()) {
            continue;
          }
          JobRequest request = LineParser.parse(name, line, text);
          if (!seen.add(request.customId())) {
            throw new InvalidInputException(name, line, "duplicate custom_id \"" + request.customId() + "\"");
          }
          next = request;
          return true;
        }
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + name + " after line " + line + ": " + e.getMessage(), e);
      }
    }

    @Override
    public JobRequest next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      JobRequest r = next;
      next = null;
      return r;
    }

    @Override
    public void close() {
      try {
        reader.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close " + name + ": " + e.getMessage(), e);
      }
    }
  }
}
