package dev.fanout.langchain4j;

import static dev.fanout.langchain4j.OpenAiWire.body;
import static dev.fanout.langchain4j.OpenAiWire.json;
import static dev.fanout.langchain4j.OpenAiWire.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.UnauthorizedException;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.model.output.Response;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** FanoutEmbeddingModel against scripted OpenAI responses: wire form, order, usage, errors, validation. */
@Timeout(20)
class FanoutEmbeddingModelTest {
  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/").toString()).apiKey("sk-secret-key-123")
        .retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  @Test
  void embedsInInputOrderWithUsageAndSendsModelAndDimensions() throws Exception {
    // The server lists the vectors out of order; index says which input each is.
    server.enqueue(json("{\"object\":\"list\",\"model\":\"text-embedding-3-small\",\"data\":["
        + "{\"object\":\"embedding\",\"index\":1,\"embedding\":[0.0,1.0]},"
        + "{\"object\":\"embedding\",\"index\":0,\"embedding\":[1.0,0.0]}],"
        + "\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}"));
    FanoutEmbeddingModel model = FanoutEmbeddingModel.builder().client(client)
        .modelName("text-embedding-3-small").dimensions(2).user("u-1").build();

    Response<List<Embedding>> response = model.embedAll(List.of(TextSegment.from("first"), TextSegment.from("second")));

    assertThat(response.content()).extracting(Embedding::vectorAsList)
        .containsExactly(List.of(1.0f, 0.0f), List.of(0.0f, 1.0f));
    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(7);
    RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(recorded.getUrl().encodedPath()).isEqualTo("/v1/embeddings");
    assertThat(body(recorded)).isEqualTo(parse(
        "{\"model\":\"text-embedding-3-small\",\"input\":[\"first\",\"second\"],\"dimensions\":2,\"encoding_format\":\"float\",\"user\":\"u-1\"}"));
    assertThat(model.dimension()).isEqualTo(2);
    assertThat(model.modelName()).isEqualTo("text-embedding-3-small");
  }

  @Test
  void aFailureIsLangChain4jsTypeWithoutTheKey() {
    server.enqueue(json(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}"));
    FanoutEmbeddingModel model = FanoutEmbeddingModel.builder().client(client).modelName("text-embedding-3-small").build();
    assertThatThrownBy(() -> model.embed("x"))
        .isInstanceOf(AuthenticationException.class)
        .hasCauseInstanceOf(UnauthorizedException.class)
        .hasMessageNotContaining("sk-secret-key-123");
  }

  @Test
  void theBuilderNamesTheBadValue() {
    assertThatThrownBy(() -> FanoutEmbeddingModel.builder().modelName("m").build())
        .isInstanceOf(NullPointerException.class).hasMessage("client == null");
    assertThatThrownBy(() -> FanoutEmbeddingModel.builder().client(client).build())
        .isInstanceOf(NullPointerException.class).hasMessage("modelName == null");
    assertThatThrownBy(() -> FanoutEmbeddingModel.builder().dimensions(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("dimensions < 1: 0");
    assertThatThrownBy(() -> FanoutEmbeddingModel.builder().maxSegmentsPerBatch(2049))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxSegmentsPerBatch not in [1, 2048]: 2049");
  }
}
