package dev.fanout.embeddings;

import dev.fanout.internal.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An embeddings request in the OpenAI shape: a model and a batch of input texts, with the vectors' length
 * and wire encoding. Immutable; build one with {@link #builder()}, derive one with {@link #newBuilder()}.
 *
 * <pre>{@code
 * EmbeddingRequest request = EmbeddingRequest.builder()
 *     .model("text-embedding-3-small")
 *     .addInput("What is fan-out?")
 *     .build();
 * }</pre>
 */
public final class EmbeddingRequest {
  /** Vectors travel as JSON numbers unless told: {@link EncodingFormat#FLOAT}. */
  public static final EncodingFormat DEFAULT_ENCODING_FORMAT = EncodingFormat.FLOAT;
  /** OpenAI's largest batch: 2048 inputs per request. */
  public static final int MAX_INPUTS = 2048;

  private final String model;
  private final List<String> input;
  private final Integer dimensions;
  private final EncodingFormat encodingFormat;
  private final String user;
  private final Map<String, Object> extra;

  private EmbeddingRequest(Builder b) {
    this.model = b.model;
    this.input = List.copyOf(b.input);
    this.dimensions = b.dimensions;
    this.encodingFormat = b.encodingFormat;
    this.user = b.user;
    this.extra = Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the model name ({@code model}). */
  public String model() {
    return model;
  }

  /** Returns the texts to embed ({@code input}), in order. */
  public List<String> input() {
    return input;
  }

  /** Returns the requested vector length ({@code dimensions}), or {@code null} for the model's own. */
  public Integer dimensions() {
    return dimensions;
  }

  /** Returns the wire encoding ({@code encoding_format}). */
  public EncodingFormat encodingFormat() {
    return encodingFormat;
  }

  /** Returns {@code user}, the end user's id, or {@code null}. */
  public String user() {
    return user;
  }

  /** Returns the extra fields sent as-is at the top level of the request body. */
  public Map<String, Object> extra() {
    return extra;
  }

  @Override
  public String toString() {
    return "EmbeddingRequest{model=" + model + ", inputs=" + input.size()
        + (dimensions == null ? "" : ", dimensions=" + dimensions)
        + ", encodingFormat=" + encodingFormat + ", extra=" + extra.keySet() + '}';
  }

  /** Returns a builder with this request's settings, to derive another. */
  public Builder newBuilder() {
    return new Builder(this);
  }

  /**
   * Builds an {@link EmbeddingRequest}; {@code model} and at least one input are required. Every setter
   * validates its argument and names a bad value ({@link NullPointerException} for a null, as
   * {@link dev.fanout.chat.ChatRequest.Builder} does, {@link IllegalArgumentException} otherwise).
   */
  public static final class Builder {
    private static final Set<String> RESERVED = Set.of("model", "input", "dimensions", "encoding_format", "user");

    private String model;
    private final List<String> input = new ArrayList<>();
    private Integer dimensions;
    private EncodingFormat encodingFormat = DEFAULT_ENCODING_FORMAT;
    private String user;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private Builder() {}

    private Builder(EmbeddingRequest r) {
      this.model = r.model;
      this.input.addAll(r.input);
      this.dimensions = r.dimensions;
      this.encodingFormat = r.encodingFormat;
      this.user = r.user;
      this.extra.putAll(r.extra);
    }

    /** Sets the model name, such as {@code text-embedding-3-small}. Required; no default. */
    public Builder model(String model) {
      this.model = Checks.notBlank(model, "model");
      return this;
    }

    /** Appends one text to embed; not empty. At least one is required. */
    public Builder addInput(String text) {
      Objects.requireNonNull(text, () -> "input[" + input.size() + "] == null");
      if (text.isEmpty()) {
        throw new IllegalArgumentException("input[" + input.size() + "] is empty");
      }
      if (input.size() == MAX_INPUTS) {
        throw new IllegalArgumentException("input has more than " + MAX_INPUTS + " texts");
      }
      input.add(text);
      return this;
    }

    /** Replaces the texts to embed, a batch of 1 to {@value EmbeddingRequest#MAX_INPUTS} non-empty strings. */
    public Builder input(List<String> texts) {
      Objects.requireNonNull(texts, "input == null");
      if (texts.size() > MAX_INPUTS) {
        throw new IllegalArgumentException("input has " + texts.size() + " texts, more than " + MAX_INPUTS);
      }
      input.clear();
      texts.forEach(this::addInput);
      return this;
    }

    /**
     * Sets {@code dimensions}, the vectors' length (models {@code text-embedding-3} and later shorten their
     * vectors to it), at least 1. Defaults to null (the model's own length).
     */
    public Builder dimensions(Integer dimensions) {
      if (dimensions != null && dimensions < 1) {
        throw new IllegalArgumentException("dimensions < 1: " + dimensions);
      }
      this.dimensions = dimensions;
      return this;
    }

    /** Sets {@code encoding_format}; vectors are decoded to {@code float[]} either way. Defaults to FLOAT. */
    public Builder encodingFormat(EncodingFormat encodingFormat) {
      this.encodingFormat = Objects.requireNonNull(encodingFormat, "encodingFormat == null");
      return this;
    }

    /** Sets {@code user}, a stable id of the end user; not blank. Defaults to null. */
    public Builder user(String user) {
      this.user = Checks.nullOrNotBlank(user, "user");
      return this;
    }

    /**
     * Adds a field sent as-is at the top level of the request body; the value is serialized with Jackson.
     * Fields with a dedicated method are refused. Defaults to no extra fields.
     */
    public Builder putExtra(String name, Object value) {
      Objects.requireNonNull(name, "name == null");
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("extra field is set by a dedicated method: " + name);
      }
      extra.put(name, value);
      return this;
    }

    /**
     * Builds the request.
     *
     * @throws IllegalStateException if the model or the inputs are missing
     */
    public EmbeddingRequest build() {
      if (model == null) {
        throw new IllegalStateException("model == null");
      }
      if (input.isEmpty()) {
        throw new IllegalStateException("input is empty");
      }
      return new EmbeddingRequest(this);
    }
  }
}
