package dev.fanout.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.util.Optional;

/**
 * The one line a client process of the benchmark prints for the command that started it:
 * {@code RESULT {json}}. The Python clients print the same line.
 */
public final class ResultLine {
  /** What the line starts with. */
  public static final String PREFIX = "RESULT ";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ResultLine() {}

  /** Prints {@code result} as the result line on {@code out} and flushes it. */
  public static void print(PrintStream out, JsonNode result) throws JsonProcessingException {
    out.println(PREFIX + JSON.writeValueAsString(result));
    out.flush();
  }

  /** The JSON of {@code line} if it is a result line; empty for any other line. */
  public static Optional<JsonNode> parse(String line) throws JsonProcessingException {
    return line.startsWith(PREFIX) ? Optional.of(JSON.readTree(line.substring(PREFIX.length()))) : Optional.empty();
  }
}
