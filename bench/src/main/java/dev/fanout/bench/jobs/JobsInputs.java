package dev.fanout.bench.jobs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmark's requests, the same {@code n} chat completions in each client's input format: OpenAI's Batch API
 * input for {@code fanout-jobs} and {@code openai-python}, the cookbook script's (the request body with the id
 * under {@code metadata}, which the script leaves out of the request and writes back beside the result).
 */
final class JobsInputs {
  private JobsInputs() {}

  /** The id of request {@code i}. */
  static String customId(int i) {
    return "request-" + i;
  }

  private static String body(int i, int maxTokens) {
    return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Write one line about item " + i
        + ".\"}],\"max_tokens\":" + maxTokens;
  }

  /** Writes {@code n} requests in OpenAI's Batch API input format. */
  static void writeBatchInput(Path file, int n, int maxTokens) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        w.write("{\"custom_id\":\"" + customId(i) + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
            + body(i, maxTokens) + "}}\n");
      }
    }
  }

  /** Writes the same {@code n} requests in the cookbook script's input format. */
  static void writeCookbookInput(Path file, int n, int maxTokens) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < n; i++) {
        w.write(body(i, maxTokens) + ",\"metadata\":{\"custom_id\":\"" + customId(i) + "\"}}\n");
      }
    }
  }
}
