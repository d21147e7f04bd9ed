package dev.fanout.langchain4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;

/** OpenAI-shaped responses for scripted servers, and reading the requests they received. */
final class OpenAiWire {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final String CHUNK_HEAD = "{\"id\":\"chatcmpl-S1\",\"object\":\"chat.completion.chunk\",\"created\":1747000001,"
      + "\"model\":\"gpt-4o-mini-2024-07-18\",";

  private OpenAiWire() {}

  static MockResponse json(String body) {
    return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
  }

  static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  /** A completion with one choice whose message is {@code message} (JSON) and the given finish reason. */
  static String completion(String message, String finishReason) {
    return "{\"id\":\"chatcmpl-A1\",\"object\":\"chat.completion\",\"created\":1747000000,"
        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":" + message
        + ",\"logprobs\":null,\"finish_reason\":\"" + finishReason + "\"}],"
        + "\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":10,\"total_tokens\":29}}";
  }

  static String text(String content) {
    return completion("{\"role\":\"assistant\",\"content\":" + quote(content) + ",\"refusal\":null}", "stop");
  }

  static String chunk(String delta, String finishReason) {
    return CHUNK_HEAD + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
        + finishReason + "}],\"usage\":null}";
  }

  static String usageChunk() {
    return CHUNK_HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":82,\"completion_tokens\":47,\"total_tokens\":129}}";
  }

  static String sse(String... chunks) {
    StringBuilder b = new StringBuilder();
    for (String c : chunks) {
      b.append("data: ").append(c).append("\n\n");
    }
    return b.append("data: [DONE]\n\n").toString();
  }

  static MockResponse stream(String body) {
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build();
  }

  static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode body(RecordedRequest request) {
    try {
      return MAPPER.readTree(request.getBody().utf8());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
