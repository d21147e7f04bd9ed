package dev.fanout.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.GovernorReport;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.DecodeException;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import dev.fanout.testing.FakeClock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code countTokens} against the mock's {@code /v1/messages/count_tokens}, which is as strict as Anthropic's. */
@Timeout(30)
class CountTokensTest {
  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder().latency(Latency.none()).build();

  private static final ObjectMapper JSON = new ObjectMapper();
  /** A request with every answer-only field set, which the count must leave out. */
  private static final MessageRequest REQUEST = MessageRequest.builder()
      .model("claude-test")
      .maxTokens(256)
      .system("be brief")
      .addUserMessage("what is the weather in Paris today?")
      .temperature(0.3)
      .topP(0.9)
      .topK(40)
      .stopSequences(List.of("END"))
      .tools(List.of(MessagesServiceTest.WEATHER))
      .toolChoice(ToolChoice.auto())
      .putExtra("metadata", Map.of("user_id", "u-1"))
      .build();

  private FanoutClient client;

  @BeforeEach
  void setUp() {
    client = FanoutClient.builder().baseUrl(backend.url()).apiKey("sk-ant-test-key").clock(FakeClock.create())
        .retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private MessageTokenCount count(MessageRequest request, boolean async) {
    if (!async) {
      return client.messages().countTokens(request);
    }
    try {
      return client.messages().countTokensAsync(request).join();
    } catch (CompletionException e) {
      throw (RuntimeException) e.getCause(); // the future fails with the SDK's own exception
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void countsWhatTheSameMessageReportsAsInputTokens(boolean async) throws Exception {
    MessageTokenCount count = count(REQUEST, async);
    ReceivedRequest sent = backend.backend().takeRequest(5, TimeUnit.SECONDS);
    long used = client.messages().create(REQUEST).usage().inputTokens();

    assertThat(count.inputTokens()).isPositive().isEqualTo(used);
    assertThat(sent.method()).isEqualTo("POST");
    assertThat(sent.path()).isEqualTo("/v1/messages/count_tokens");
    assertThat(sent.header("x-api-key")).isEqualTo("sk-ant-test-key");
    assertThat(sent.header("anthropic-version")).isEqualTo(MessagesService.ANTHROPIC_VERSION);
    assertThat(sent.header("authorization")).isNull();
    JsonNode body = JSON.readTree(sent.bodyUtf8());
    assertThat(body.has("max_tokens")).isFalse();
    assertThat(body.has("stream")).isFalse();
    assertThat(List.of("temperature", "top_p", "top_k", "stop_sequences", "metadata")).noneMatch(body::has);
    assertThat(body.get("model").asText()).isEqualTo("claude-test");
    assertThat(body.get("system").asText()).isEqualTo("be brief");
    assertThat(body.get("tools").get(0).get("name").asText()).isEqualTo("get_weather");
    assertThat(body.get("tool_choice").get("type").asText()).isEqualTo("auto");
    assertThat(body.get("messages")).hasSize(1);
    assertThat(backend.stats().requests(Routes.COUNT_TOKENS)).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aRefusedRequestIsABadRequestException(boolean async) {
    // the mock refuses an image type Anthropic does not take; its 400 invalid_request_error maps as create's does
    MessageRequest bad = REQUEST.newBuilder().addMessage(MessageParam.user(List.of(
        ContentBlock.imageBase64("image/bmp", "Qk0")))).build();
    assertThatThrownBy(() -> count(bad, async))
        .isInstanceOf(BadRequestException.class)
        .satisfies(e -> assertThat(((BadRequestException) e).statusCode()).isEqualTo(400))
        .hasMessageContaining("media_type");
  }

  @Test
  void countsGoToTheirOwnBucketNotTheModels() throws Exception {
    FanoutFuture<List<MessageTokenCount>> run = Fanout.all(List.of(1, 2, 3),
        (i, context) -> client.messages().withContext(context).countTokensAsync(REQUEST), FanoutOptions.defaults());
    assertThat(run.get(20, TimeUnit.SECONDS)).hasSize(3).allMatch(c -> c.inputTokens() > 0);

    List<GovernorReport.Bucket> buckets = run.report().governor().buckets();
    assertThat(buckets).extracting(GovernorReport.Bucket::name).containsExactly("/v1/messages/count_tokens");
    assertThat(buckets.get(0).admitted()).isEqualTo(3);
  }

  @Test
  void readsTheCountLeniently() {
    ObjectMapper m = JSON;
    assertThat(MessageTokenCount.fromJson(m.createObjectNode().put("input_tokens", 14).put("later_field", "x")))
        .isEqualTo(new MessageTokenCount(14));
    assertThatThrownBy(() -> MessageTokenCount.fromJson(m.createObjectNode().put("tokens", 14)))
        .isInstanceOf(DecodeException.class).hasMessageContaining("input_tokens");
    assertThatThrownBy(() -> MessageTokenCount.fromJson(m.createArrayNode()))
        .isInstanceOf(DecodeException.class);
  }
}
