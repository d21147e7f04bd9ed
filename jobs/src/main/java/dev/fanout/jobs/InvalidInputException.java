package dev.fanout.jobs;

/**
 * An input line that is not a request of OpenAI's Batch API input format: not JSON, a missing or mistyped
 * field, an unknown method, a {@code custom_id} seen on an earlier line. The message names the line.
 */
public final class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final long line;

  public InvalidInputException(String source, long line, String problem) {
    super(source + ":" + line + ": " + problem);
    this.source = source;
    this.line = line;
  }

  /** The input's name: its path, or what the caller named a line source. */
  public String source() {
    return source;
  }

  /** The bad line's number, from 1. */
  public long line() {
    return line;
  }
}
