package dev.fanout.langchain4j;

import dev.fanout.FanoutClient;
import dev.fanout.embeddings.EmbeddingRequest;
import dev.fanout.embeddings.EmbeddingResponse;
import dev.fanout.langchain4j.internal.Exceptions;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.embedding.DimensionAwareEmbeddingModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.listener.EmbeddingModelListener;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingParameter;
import dev.langchain4j.model.embedding.request.EmbeddingRequestParameters;
import dev.langchain4j.model.embedding.response.EmbeddingResponseMetadata;
import dev.langchain4j.model.output.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A LangChain4j {@link EmbeddingModel} that embeds through a {@link FanoutClient}'s
 * {@code embeddings()} ({@code POST /v1/embeddings}, OpenAI's wire format). Built like
 * {@code OpenAiEmbeddingModel}: {@code FanoutEmbeddingModel.builder().client(client)
 * .modelName("text-embedding-3-small").build()}.
 *
 * <h2>Batches go out at once.</h2>
 * {@code embedAll} splits the segments into batches of {@link Builder#maxSegmentsPerBatch} and sends every
 * batch concurrently (the client's {@code maxInFlight} bounds them); the embeddings come back in segment
 * order and the token usage is summed. If one batch fails, the others are cancelled and the call fails with
 * the LangChain4j exception for that failure (Fanout's as its cause).
 *
 * <p>{@link #dimension()} is {@link Builder#dimensions} when set, the known size of OpenAI's embedding
 * models otherwise, and else one test embedding. The per-call parameters it takes are {@code modelName} and
 * {@code dimensions}. This model does not own the client. Thread-safe.
 */
public final class FanoutEmbeddingModel extends DimensionAwareEmbeddingModel {
  /** OpenAI's limit of inputs per embeddings request. */
  public static final int DEFAULT_MAX_SEGMENTS_PER_BATCH = 2048;

  private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
      "text-embedding-3-small", 1536,
      "text-embedding-3-large", 3072,
      "text-embedding-ada-002", 1536);

  private final FanoutClient client;
  private final String modelName;
  private final Integer dimensions;
  private final String user;
  private final int maxSegmentsPerBatch;
  private final List<EmbeddingModelListener> listeners;

  private FanoutEmbeddingModel(Builder b) {
    this.client = b.client;
    this.modelName = b.modelName;
    this.dimensions = b.dimensions;
    this.user = b.user;
    this.maxSegmentsPerBatch = b.maxSegmentsPerBatch;
    this.listeners = b.listeners;
  }

  /** Returns a builder; {@code client} and {@code modelName} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public dev.langchain4j.model.embedding.response.EmbeddingResponse doEmbed(
      dev.langchain4j.model.embedding.request.EmbeddingRequest request) {
    EmbeddingRequestParameters parameters = request.parameters();
    String model = parameters.modelName() != null ? parameters.modelName() : modelName;
    Integer dims = parameters.dimensions() != null ? parameters.dimensions() : dimensions;
    List<String> texts = new ArrayList<>(request.inputs().size());
    for (EmbeddingInput input : request.inputs()) {
      texts.add(input.text());
    }
    List<CompletableFuture<EmbeddingResponse>> batches = new ArrayList<>();
    try {
      for (int from = 0; from < texts.size(); from += maxSegmentsPerBatch) {
        List<String> batch = texts.subList(from, Math.min(texts.size(), from + maxSegmentsPerBatch));
        batches.add(client.embeddings().createAsync(EmbeddingRequest.builder()
            .model(model)
            .input(batch)
            .dimensions(dims)
            .user(user)
            .build()));
      }
      CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).join();
    } catch (RuntimeException e) {
      batches.forEach(f -> f.cancel(true));
      if (e instanceof LangChain4jException || e instanceof IllegalArgumentException) {
        throw e;
      }
      throw Exceptions.toLangChain4j(e);
    }
    List<Embedding> embeddings = new ArrayList<>(texts.size());
    TokenUsage usage = null;
    String responseModel = null;
    for (CompletableFuture<EmbeddingResponse> batch : batches) {
      EmbeddingResponse response = batch.join();
      for (float[] vector : response.vectors()) {
        embeddings.add(Embedding.from(vector));
      }
      if (response.usage() != null) {
        TokenUsage u = new TokenUsage(response.usage().promptTokens(), 0, response.usage().totalTokens());
        usage = usage == null ? u : usage.add(u);
      }
      if (responseModel == null) {
        responseModel = response.model();
      }
    }
    return dev.langchain4j.model.embedding.response.EmbeddingResponse.builder()
        .embeddings(embeddings)
        .metadata(EmbeddingResponseMetadata.builder()
            .modelName(responseModel != null ? responseModel : model)
            .tokenUsage(usage)
            .build())
        .build();
  }

  @Override
  protected Integer knownDimension() {
    return dimensions != null ? dimensions : KNOWN_DIMENSIONS.get(modelName);
  }

  @Override
  public String modelName() {
    return modelName;
  }

  @Override
  public Set<EmbeddingParameter<?>> supportedParameters() {
    return Set.of(EmbeddingRequestParameters.MODEL_NAME, EmbeddingRequestParameters.DIMENSIONS);
  }

  @Override
  public EmbeddingRequestParameters defaultRequestParameters() {
    return EmbeddingRequestParameters.builder().modelName(modelName).dimensions(dimensions).build();
  }

  @Override
  public List<EmbeddingModelListener> listeners() {
    return listeners;
  }

  /** Returns {@link ModelProvider#OPEN_AI}, as {@code OpenAiEmbeddingModel} does: it speaks OpenAI's embeddings API. */
  @Override
  public ModelProvider provider() {
    return ModelProvider.OPEN_AI;
  }

  @Override
  public String toString() {
    return "FanoutEmbeddingModel{modelName=" + modelName + ", dimensions=" + dimensions + "}";
  }

  /** Builds a {@link FanoutEmbeddingModel}; option names are {@code OpenAiEmbeddingModel.builder()}'s. */
  public static final class Builder {
    private FanoutClient client;
    private String modelName;
    private Integer dimensions;
    private String user;
    private int maxSegmentsPerBatch = DEFAULT_MAX_SEGMENTS_PER_BATCH;
    private List<EmbeddingModelListener> listeners = List.of();

    private Builder() {}

    /** The client every request goes through; required. This model does not close it. */
    public Builder client(FanoutClient client) {
      this.client = client;
      return this;
    }

    /** The embedding model, such as {@code text-embedding-3-small}; required. */
    public Builder modelName(String modelName) {
      this.modelName = modelName;
      return this;
    }

    /** The vectors' size, at least 1 ({@code dimensions}; text-embedding-3 models only). Defaults to not sent. */
    public Builder dimensions(Integer dimensions) {
      EmbeddingRequest.builder().dimensions(dimensions); // the requests' own check, naming a bad value
      this.dimensions = dimensions;
      return this;
    }

    /** An end-user id for abuse monitoring ({@code user}), not blank. Defaults to not sent. */
    public Builder user(String user) {
      EmbeddingRequest.builder().user(user); // the requests' own check, naming a bad value
      this.user = user;
      return this;
    }

    /**
     * The most segments in one request, 1 to 2048. Defaults to {@value FanoutEmbeddingModel#DEFAULT_MAX_SEGMENTS_PER_BATCH}.
     */
    public Builder maxSegmentsPerBatch(int maxSegmentsPerBatch) {
      if (maxSegmentsPerBatch < 1 || maxSegmentsPerBatch > DEFAULT_MAX_SEGMENTS_PER_BATCH) {
        throw new IllegalArgumentException(
            "maxSegmentsPerBatch not in [1, " + DEFAULT_MAX_SEGMENTS_PER_BATCH + "]: " + maxSegmentsPerBatch);
      }
      this.maxSegmentsPerBatch = maxSegmentsPerBatch;
      return this;
    }

    /** Listeners that observe every request, response and error. Defaults to none. */
    public Builder listeners(List<EmbeddingModelListener> listeners) {
      if (listeners == null) {
        this.listeners = List.of();
        return this;
      }
      for (int i = 0; i < listeners.size(); i++) {
        Objects.requireNonNull(listeners.get(i), "listeners[" + i + "] == null");
      }
      this.listeners = List.copyOf(listeners);
      return this;
    }

    /**
     * Returns the model.
     *
     * @throws NullPointerException if {@code client} or {@code modelName} is missing
     */
    public FanoutEmbeddingModel build() {
      Objects.requireNonNull(client, "client == null");
      Objects.requireNonNull(modelName, "modelName == null");
      if (modelName.isBlank()) {
        throw new IllegalArgumentException("modelName is blank: \"" + modelName + "\"");
      }
      return new FanoutEmbeddingModel(this);
    }
  }
}
