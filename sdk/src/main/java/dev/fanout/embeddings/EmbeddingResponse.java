package dev.fanout.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.errors.DecodeException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The result of an embeddings request in the OpenAI shape: the model, one {@link Embedding} per input in
 * input order, and token usage. Immutable.
 */
public final class EmbeddingResponse {
  private final String model;
  private final List<Embedding> embeddings;
  private final Usage usage;

  private EmbeddingResponse(String model, List<Embedding> embeddings, Usage usage) {
    this.model = model;
    this.embeddings = embeddings;
    this.usage = usage;
  }

  /**
   * Reads a response from OpenAI's JSON ({@code {"object": "list", "data": [{"object": "embedding", "index",
   * "embedding"}], "model", "usage"}}); a vector may be a number array or a base64 string of little-endian
   * float32 values.
   *
   * @throws DecodeException naming the entry, if the shape is wrong, a vector cannot be decoded, or the
   *     indices are not exactly 0 to {@code n - 1}
   */
  public static EmbeddingResponse fromJson(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new DecodeException("embeddings response is not a JSON object");
    }
    JsonNode data = json.get("data");
    if (data == null || !data.isArray()) {
      throw new DecodeException("embeddings response has no data array");
    }
    Embedding[] byIndex = new Embedding[data.size()];
    for (int i = 0; i < data.size(); i++) {
      JsonNode entry = data.get(i);
      String where = "data[" + i + "]";
      if (!entry.isObject()) {
        throw new DecodeException(where + " is not an object");
      }
      JsonNode idx = entry.get("index");
      int index = idx == null ? i : idx.asInt(-1);
      if (idx != null && !idx.canConvertToInt() || index < 0 || index >= byIndex.length) {
        throw new DecodeException(where + ".index " + idx + " is not in [0, " + byIndex.length + ")");
      }
      if (byIndex[index] != null) {
        throw new DecodeException(where + ".index " + index + " is repeated");
      }
      byIndex[index] = Embedding.wrap(index, vector(entry.get("embedding"), where + ".embedding"));
    }
    JsonNode u = json.path("usage");
    Usage usage = new Usage(u.path("prompt_tokens").asInt(0), u.path("total_tokens").asInt(0));
    return new EmbeddingResponse(json.path("model").asText(""), List.of(byIndex), usage);
  }

  private static float[] vector(JsonNode v, String where) {
    if (v == null || v.isNull()) {
      throw new DecodeException(where + " is missing");
    }
    if (v.isTextual()) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(v.asText());
      } catch (IllegalArgumentException e) {
        throw new DecodeException(where + " is not valid base64: " + e.getMessage(), e);
      }
      if (bytes.length % Float.BYTES != 0) {
        throw new DecodeException(where + " decodes to " + bytes.length + " bytes, not a whole number of float32s");
      }
      float[] out = new float[bytes.length / Float.BYTES];
      ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }
    if (v.isArray()) {
      float[] out = new float[v.size()];
      for (int i = 0; i < out.length; i++) {
        JsonNode x = v.get(i);
        if (!x.isNumber()) {
          throw new DecodeException(where + "[" + i + "] is not a number: " + x);
        }
        out[i] = x.floatValue();
      }
      return out;
    }
    throw new DecodeException(where + " is neither a number array nor a base64 string");
  }

  /** Returns the model that answered, or {@code ""}. */
  public String model() {
    return model;
  }

  /** Returns one embedding per input, in input order (the i-th has {@code index() == i}). */
  public List<Embedding> embeddings() {
    return embeddings;
  }

  /** Returns the embedding of input {@code i}; fails naming {@code i} and the count if out of range. */
  public Embedding embedding(int i) {
    if (i < 0 || i >= embeddings.size()) {
      throw new IndexOutOfBoundsException("embedding " + i + " of " + embeddings.size());
    }
    return embeddings.get(i);
  }

  /** Returns the vectors (copies), in input order. */
  public List<float[]> vectors() {
    List<float[]> out = new ArrayList<>(embeddings.size());
    embeddings.forEach(e -> out.add(e.vector()));
    return out;
  }

  /** Returns token usage (0s if the server sent none). */
  public Usage usage() {
    return usage;
  }

  @Override
  public String toString() {
    return "EmbeddingResponse{model=" + model + ", embeddings=" + embeddings.size() + ", usage=" + usage + '}';
  }

  /**
   * Token counts of an embeddings request.
   *
   * @param promptTokens the tokens of the inputs
   * @param totalTokens the tokens billed
   */
  public record Usage(int promptTokens, int totalTokens) {}
}
