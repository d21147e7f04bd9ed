package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.fanout.mock.ReceivedRequest;

/**
 * {@code POST /v1/embeddings}, OpenAI-compatible: {@code model} and {@code input} (a string, an array of
 * strings, an array of token ids or an array of such arrays) are required; {@code encoding_format} is
 * {@code float} (the default) or {@code base64} (little-endian float32); {@code dimensions} is 1 to the
 * model's size (3072 for {@code text-embedding-3-large}, 1536 otherwise).
 *
 * <p>Vectors are deterministic and need no model: a hashed bag of features, each lower-cased word
 * (weight 1) and each of its character trigrams (weight 0.5) adding ±weight to one coordinate chosen by
 * its hash, then normalised to length 1. The same text always gets the same vector, and texts that
 * share words (or word stems) are closer by cosine than unrelated ones, which land near 0.
 */
public final class EmbeddingsDispatcher extends BackendDispatcher {
  /** The size of an embedding unless the request asks for fewer {@code dimensions}. */
  public static final int DEFAULT_DIMENSIONS = 1536;
  /** The size of {@code text-embedding-3-large} embeddings. */
  public static final int LARGE_DIMENSIONS = 3072;
  /** OpenAI's bound on the inputs of one request. */
  public static final int MAX_INPUTS = 2048;
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  @Override
  public Reply handle(ReceivedRequest request) {
    JsonPost post = jsonPost(request, "/v1/embeddings");
    if (post.refusal() != null) return post.refusal();
    JsonNode root = post.root();
    if (!root.isObject()) return Reply.badRequest("Invalid body: expected a JSON object.", null);
    JsonNode model = root.get("model");
    if (model == null || model.isNull() || (model.isTextual() && model.asText().isEmpty())) {
      return Reply.error(400, "Missing required parameter: 'model'. You must provide a model parameter.",
          "invalid_request_error", "model", "missing_required_parameter");
    }
    if (!model.isTextual()) return Reply.badRequest("Invalid type for 'model': expected a string.", "model");
    JsonNode input = root.get("input");
    if (input == null || input.isNull()) {
      return Reply.error(400, "Missing required parameter: 'input'.", "invalid_request_error", "input",
          "missing_required_parameter");
    }
    List<List<String>> features = new ArrayList<>();
    long promptTokens = 0;
    if (input.isTextual()) {
      if (input.asText().isEmpty()) return invalidInput();
      features.add(textFeatures(input.asText()));
      promptTokens += tokens(input.asText());
    } else if (input.isArray() && input.size() > 0 && input.size() <= MAX_INPUTS) {
      if (input.get(0).isIntegralNumber()) {
        List<String> ids = tokenFeatures(input);
        if (ids == null) return invalidInput();
        features.add(ids);
        promptTokens += input.size();
      } else {
        for (JsonNode item : input) {
          if (item.isTextual() && !item.asText().isEmpty()) {
            features.add(textFeatures(item.asText()));
            promptTokens += tokens(item.asText());
          } else if (item.isArray() && item.size() > 0) {
            List<String> ids = tokenFeatures(item);
            if (ids == null) return invalidInput();
            features.add(ids);
            promptTokens += item.size();
          } else {
            return invalidInput();
          }
        }
      }
    } else {
      return invalidInput();
    }
    JsonNode encoding = root.get("encoding_format");
    boolean base64 = false;
    if (encoding != null && !encoding.isNull()) {
      if (!encoding.isTextual() || !(encoding.asText().equals("float") || encoding.asText().equals("base64"))) {
        return Reply.badRequest("Invalid value for 'encoding_format': expected 'float' or 'base64', got " + encoding
            + ".", "encoding_format");
      }
      base64 = encoding.asText().equals("base64");
    }
    int size = model.asText().equals("text-embedding-3-large") ? LARGE_DIMENSIONS : DEFAULT_DIMENSIONS;
    JsonNode dimensions = root.get("dimensions");
    if (dimensions != null && !dimensions.isNull()) {
      if (!dimensions.isIntegralNumber() || !dimensions.canConvertToInt() || dimensions.asInt() < 1
          || dimensions.asInt() > size) {
        return Reply.badRequest("Invalid 'dimensions': expected an integer from 1 to " + size + " for model '"
            + model.asText() + "', got " + dimensions + ".", "dimensions");
      }
      size = dimensions.asInt();
    }

    ObjectNode list = Json.object();
    list.put("object", "list");
    ArrayNode data = list.putArray("data");
    for (int i = 0; i < features.size(); i++) {
      float[] v = vector(features.get(i), size);
      ObjectNode e = data.addObject();
      e.put("object", "embedding");
      e.put("index", i);
      if (base64) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        e.put("embedding", Base64.getEncoder().encodeToString(b.array()));
      } else {
        ArrayNode a = e.putArray("embedding");
        for (float f : v) a.add(f);
      }
    }
    list.put("model", model.asText());
    ObjectNode usage = list.putObject("usage");
    usage.put("prompt_tokens", promptTokens);
    usage.put("total_tokens", promptTokens);
    return Reply.json(200, list).metering(model.asText(), promptTokens, 0, 1, promptTokens);
  }

  private static Reply invalidInput() {
    return Reply.badRequest("Invalid 'input': expected a non-empty string, an array of 1 to " + MAX_INPUTS
        + " non-empty strings, or an array of token arrays.", "input");
  }

  /** About OpenAI's count: a token per four characters, at least one. */
  private static long tokens(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }

  /** The features of a text: its lower-cased words and their character trigrams ({@code #word#} padded). */
  static List<String> textFeatures(String text) {
    List<String> f = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      String w = m.group();
      f.add("w:" + w);
      String padded = "#" + w + "#";
      for (int i = 0; i + 3 <= padded.length(); i++) f.add("t:" + padded.substring(i, i + 3));
    }
    if (f.isEmpty()) f.add("x:" + text);
    return f;
  }

  private static List<String> tokenFeatures(JsonNode ids) {
    List<String> f = new ArrayList<>();
    for (JsonNode id : ids) {
      if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0) return null;
      f.add("w:#" + id.asInt());
    }
    return f;
  }

  /** The unit vector of {@code features} in {@code size} dimensions. */
  static float[] vector(List<String> features, int size) {
    double[] v = new double[size];
    for (String feature : features) {
      long h = hash(feature);
      int index = (int) Math.floorMod(h, (long) size);
      double weight = feature.startsWith("t:") ? 0.5 : 1.0;
      v[index] += (h >>> 63) == 0 ? weight : -weight;
    }
    double norm = 0;
    for (double x : v) norm += x * x;
    norm = Math.sqrt(norm);
    float[] out = new float[size];
    for (int i = 0; i < size; i++) out[i] = norm == 0 ? 0 : (float) (v[i] / norm);
    return out;
  }

  /** FNV-1a 64 with a final mix: a stable hash, the same on every JVM. */
  private static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
