package dev.fanout.bench.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads a client's results file and counts, per request id, what it holds: each of the {@code n} requests
 * ({@code request-0} .. {@code request-(n-1)}) should appear exactly once, ok or failed. The three clients write
 * three formats; {@link Format} reads each.
 */
final class ResultsCheck {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A results file's layout. */
  enum Format {
    /**
     * OpenAI's Batch API output, as {@code fanout-jobs} writes it: {@code {"custom_id", "response": {"status_code",
     * "body"}, "error"}}; ok when there is no error and the status is 2xx.
     */
    BATCH_OUTPUT {
      @Override
      Line read(JsonNode node) {
        int status = node.path("response").path("status_code").asInt();
        boolean ok = node.path("error").isNull() || node.path("error").isMissingNode();
        return new Line(node.path("custom_id").asText(null), ok && status >= 200 && status < 300);
      }
    },
    /**
     * The cookbook script's: an array {@code [request, response, metadata]}, or {@code [request, [errors...],
     * metadata]} once its attempts are spent; the id is {@code metadata.custom_id}; ok when the response is an
     * object without {@code error}.
     */
    COOKBOOK {
      @Override
      Line read(JsonNode node) {
        JsonNode response = node.path(1);
        return new Line(node.path(2).path("custom_id").asText(null), response.isObject() && !response.has("error"));
      }
    },
    /** The openai-python row's: {@code {"custom_id", "response", "error"}}; ok when error is null. */
    OPENAI_PYTHON {
      @Override
      Line read(JsonNode node) {
        return new Line(node.path("custom_id").asText(null), node.path("error").isNull() && node.path("response").isObject());
      }
    };

    abstract Line read(JsonNode node);
  }

  /** One results line: its request id (null where it has none) and whether it is a success. */
  record Line(String id, boolean ok) {}

  /**
   * What a results file holds.
   *
   * @param lines lines in the file
   * @param ok lines that are successes
   * @param failed lines that are failures
   * @param duplicates lines whose id an earlier line already had
   * @param missing requests of the input with no line
   * @param unreadable lines that are not JSON or carry no id
   */
  record Counts(long lines, long ok, long failed, long duplicates, long missing, long unreadable) {
    /** Each request of the input exactly once. */
    boolean eachOnce() {
      return duplicates == 0 && missing == 0 && unreadable == 0;
    }
  }

  private ResultsCheck() {}

  /** Counts {@code file} (read in {@code format}) against an input of {@code n} requests {@code request-i}. */
  static Counts check(Path file, Format format, int n) throws IOException {
    long lines = 0;
    long ok = 0;
    long failed = 0;
    long duplicates = 0;
    long unreadable = 0;
    Set<String> seen = new HashSet<>();
    if (Files.exists(file)) {
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String text;
        while ((text = r.readLine()) != null) {
          if (text.isBlank()) {
            continue;
          }
          lines++;
          Line line;
          try {
            line = format.read(JSON.readTree(text));
          } catch (IOException e) {
            unreadable++;
            continue;
          }
          if (line.id() == null) {
            unreadable++;
            continue;
          }
          if (!seen.add(line.id())) {
            duplicates++;
            continue;
          }
          if (line.ok()) {
            ok++;
          } else {
            failed++;
          }
        }
      }
    }
    long missing = 0;
    for (int i = 0; i < n; i++) {
      if (!seen.contains(JobsInputs.customId(i))) {
        missing++;
      }
    }
    return new Counts(lines, ok, failed, duplicates, missing, unreadable);
  }
}
