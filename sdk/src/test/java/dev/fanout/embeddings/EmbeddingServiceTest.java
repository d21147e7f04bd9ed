package dev.fanout.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.DecodeException;
import dev.fanout.internal.HttpEngine;
import dev.fanout.testsupport.Responses;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class EmbeddingServiceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = client("/");
  }

  private FanoutClient client(String basePath) {
    return FanoutClient.builder().baseUrl(server.url(basePath).toString()).apiKey("sk-emb")
        .retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  /** OpenAI's response shape; {@code data} entries as given (here out of order on purpose). */
  private static String response(String... data) {
    return "{\"object\":\"list\",\"data\":[" + String.join(",", data) + "],\"model\":\"text-embedding-3-small\","
        + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}";
  }

  private static String entry(int index, String embedding) {
    return "{\"object\":\"embedding\",\"index\":" + index + ",\"embedding\":" + embedding + "}";
  }

  private JsonNode takeBody() throws Exception {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer sk-emb");
    return JSON.readTree(r.getBody().utf8());
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void embedsABatchInInputOrder(boolean async) throws Exception {
    server.enqueue(Responses.json(response(entry(1, "[0.25, 0.0, -1.5]"), entry(0, "[1.0, -2.0, 0.5]"))));
    EmbeddingRequest request = EmbeddingRequest.builder()
        .model("text-embedding-3-small")
        .input(List.of("fan-out", "fan-in"))
        .dimensions(3)
        .user("user-7")
        .putExtra("custom_option", "x")
        .build();

    EmbeddingResponse r = async
        ? HttpEngine.await(client.embeddings().createAsync(request))
        : client.embeddings().create(request);

    assertThat(r.embeddings()).extracting(Embedding::index).containsExactly(0, 1);
    assertThat(r.embedding(0).vector()).containsExactly(1.0f, -2.0f, 0.5f);
    assertThat(r.embedding(1).vector()).containsExactly(0.25f, 0.0f, -1.5f);
    assertThat(r.embedding(1).dimensions()).isEqualTo(3);
    assertThat(r.usage()).isEqualTo(new EmbeddingResponse.Usage(8, 8));
    assertThat(r.model()).isEqualTo("text-embedding-3-small");
    assertThat(takeBody()).isEqualTo(JSON.readTree("""
        {"model": "text-embedding-3-small", "input": ["fan-out", "fan-in"], "dimensions": 3,
         "encoding_format": "float", "user": "user-7", "custom_option": "x"}"""));
    assertThat(server.takeRequest(0, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void decodesBase64VectorsAsLittleEndianFloat32() throws Exception {
    // [1.0, -2.0, 0.5] and [0.25, 0.0, -1.5] packed with Python's struct.pack('<3f', ...), then base64.
    server.enqueue(Responses.json(response(entry(0, "\"AACAPwAAAMAAAAA/\""), entry(1, "\"AACAPgAAAAAAAMC/\""))));

    EmbeddingResponse r = client.embeddings().create(EmbeddingRequest.builder().model("text-embedding-3-small")
        .addInput("fan-out").addInput("fan-in").encodingFormat(EncodingFormat.BASE64).build());

    assertThat(r.vectors()).containsExactly(new float[] {1.0f, -2.0f, 0.5f}, new float[] {0.25f, 0.0f, -1.5f});
    assertThat(takeBody().get("encoding_format").asText()).isEqualTo("base64");
  }

  @ParameterizedTest(name = "base {0} posts to {1}")
  @CsvSource({"/, /v1/embeddings", "/v1, /v1/embeddings", "/openai/v1/, /openai/v1/embeddings", "/proxy, /proxy/v1/embeddings"})
  void resolvesTheEndpointLikeChat(String basePath, String expected) throws Exception {
    client.close();
    client = client(basePath);
    server.enqueue(Responses.json(response(entry(0, "[1]"))));

    client.embeddings().create(EmbeddingRequest.builder().model("m").addInput("x").build());

    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "[{\"index\":0,\"embedding\":[1]},{\"index\":0,\"embedding\":[2]}] | data[1].index 0 is repeated",
      "[{\"index\":0,\"embedding\":[1]},{\"index\":2,\"embedding\":[2]}] | data[1].index 2 is not in [0, 2)",
      "[{\"index\":0,\"embedding\":[1]},{\"index\":1,\"embedding\":\"AACAPwAAAMAAAA==\"}] | data[1].embedding decodes to 10 bytes, not a whole number of float32s",
      "[{\"index\":0,\"embedding\":[1]},{\"index\":1,\"embedding\":\"not base64!\"}] | data[1].embedding is not valid base64",
      "[{\"index\":0,\"embedding\":[1]},{\"index\":1,\"embedding\":[1, \"a\"]}] | data[1].embedding[1] is not a number",
      "[{\"index\":0,\"embedding\":[1]},{\"index\":1}] | data[1].embedding is missing",
      "[{\"index\":0,\"embedding\":[1]}] | 2 inputs but 1 embeddings",
  })
  void aResponseThatDoesNotMatchTheInputsFails(String data, String message) {
    server.enqueue(Responses.json("{\"object\":\"list\",\"data\":" + data + ",\"model\":\"m\"}"));

    assertThatThrownBy(() -> client.embeddings().create(
        EmbeddingRequest.builder().model("m").addInput("a").addInput("b").build()))
        .isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("POST /v1/embeddings: " + message);
  }

  @Test
  void builderValidatesAndNamesBadValues() {
    assertThatThrownBy(() -> EmbeddingRequest.builder().addInput("x").build()).hasMessage("model == null");
    assertThatThrownBy(() -> EmbeddingRequest.builder().model(null)).hasMessage("model == null");
    assertThatThrownBy(() -> EmbeddingRequest.builder().model(" ")).hasMessage("model is blank: \" \"");
    assertThatThrownBy(() -> EmbeddingRequest.builder().model("m").build()).hasMessage("input is empty");
    assertThatThrownBy(() -> EmbeddingRequest.builder().addInput("a").addInput("")).hasMessage("input[1] is empty");
    assertThatThrownBy(() -> EmbeddingRequest.builder().input(java.util.Arrays.asList("a", null)))
        .hasMessage("input[1] == null");
    assertThatThrownBy(() -> EmbeddingRequest.builder().input(java.util.Collections.nCopies(2049, "a")))
        .hasMessage("input has 2049 texts, more than 2048");
    assertThatThrownBy(() -> EmbeddingRequest.builder().dimensions(0)).hasMessage("dimensions < 1: 0");
    assertThatThrownBy(() -> EmbeddingRequest.builder().putExtra("input", "x")).hasMessageContaining("input");
    EmbeddingRequest r = EmbeddingRequest.builder().model("m").addInput("a").dimensions(8).build();
    assertThat(r.encodingFormat()).isEqualTo(EmbeddingRequest.DEFAULT_ENCODING_FORMAT);
    assertThat(r.newBuilder().addInput("b").build().input()).containsExactly("a", "b");
    assertThat(r.input()).containsExactly("a");
  }

  @Test
  void cosineComparesVectors() {
    Embedding a = Embedding.of(0, new float[] {1, 0});
    assertThat(a.cosine(Embedding.of(1, new float[] {2, 0}))).isEqualTo(1.0);
    assertThat(a.cosine(Embedding.of(1, new float[] {0, 3}))).isEqualTo(0.0);
    assertThatThrownBy(() -> a.cosine(Embedding.of(1, new float[] {1}))).hasMessage("dimensions differ: 2 and 1");
  }
}
