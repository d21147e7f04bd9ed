package com.example.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.InternalServerException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageTokensCount;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.messages.MessageRequest;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's test: the official Anthropic Java client (anthropic-java) against the mock's Messages API, beside
 * Fanout's own client. Whatever the official client's types reject is a gap between the mock and Anthropic's wire
 * format, so every response is {@code validate()}d (the client checks types lazily otherwise).
 */
@Timeout(60)
class AnthropicClientTest {
  private static final String MODEL = "claude-sonnet-4-5";
  private static final Tool WEATHER = Tool.builder()
      .name("get_weather").description("Weather in a city")
      .inputSchema(Tool.InputSchema.builder()
          .properties(Tool.InputSchema.Properties.builder()
              .putAdditionalProperty("city", JsonValue.from(Map.of("type", "string"))).build())
          .required(List.of("city"))
          .build())
      .build();

  @RegisterExtension
  static MockBackendExtension backend = MockBackendExtension.builder().latency(Latency.none()).build();

  static AnthropicClient anthropic;

  @BeforeAll
  static void client() {
    // the client appends v1/messages to its base URL, as to https://api.anthropic.com
    anthropic = client(backend.url());
  }

  @AfterAll
  static void close() {
    anthropic.close();
  }

  static AnthropicClient client(String baseUrl) {
    return AnthropicOkHttpClient.builder().baseUrl(baseUrl).apiKey("sk-ant-test").maxRetries(0).build();
  }

  static MessageCreateParams.Builder ask(String text) {
    return MessageCreateParams.builder().model(MODEL).maxTokens(200).addUserMessage(text);
  }

  @Test
  void aMessageParsesAsTheClientsTypesAndFanoutReadsTheSame() {
    Message message = anthropic.messages().create(ask("hello from anthropic-java").build()).validate();

    assertThat(message.id()).startsWith("msg_");
    assertThat(message._type()).isEqualTo(JsonValue.from("message"));
    assertThat(message._role()).isEqualTo(JsonValue.from("assistant"));
    assertThat(message.model().asString()).isEqualTo(MODEL);
    assertThat(message.stopReason()).contains(StopReason.END_TURN);
    assertThat(message.stopSequence()).isEmpty();
    assertThat(message.content()).singleElement().satisfies(block -> {
      assertThat(block.isText()).isTrue();
      assertThat(block.asText().text()).contains("hello from anthropic-java");
    });
    assertThat(message.usage().inputTokens()).isPositive();
    assertThat(message.usage().outputTokens()).isPositive();
    assertThat(message.usage().cacheReadInputTokens()).contains(0L);

    try (FanoutClient fanout = fanout(backend.url())) {
      dev.fanout.messages.Message own = fanout.messages().create(
          MessageRequest.builder().model(MODEL).maxTokens(200).addUserMessage("hello from fanout").build());
      assertThat(own.text()).contains("hello from fanout");
      assertThat(own.stopReason()).isEqualTo(dev.fanout.messages.StopReason.END_TURN);
      assertThat(own.usage().inputTokens()).isPositive();
    }

    assertThat(backend.stats().requests(Routes.MESSAGES)).isEqualTo(2);
  }

  @Test
  void aTokenCountParsesAsTheClientsTypeAndEqualsTheMessagesInputTokens() {
    MessageTokensCount counted = anthropic.messages().countTokens(MessageCountTokensParams.builder()
        .model(MODEL).addUserMessage("count the tokens of this question").addTool(WEATHER).build()).validate();
    Message message = anthropic.messages()
        .create(ask("count the tokens of this question").addTool(WEATHER).build()).validate();

    assertThat(counted.inputTokens()).isPositive().isEqualTo(message.usage().inputTokens());

    MessageTokensCount plain = anthropic.messages().countTokens(MessageCountTokensParams.builder()
        .model(MODEL).addUserMessage("count the tokens of this question").build()).validate();
    try (FanoutClient fanout = fanout(backend.url())) {
      assertThat(fanout.messages().countTokens(MessageRequest.builder().model(MODEL).maxTokens(200)
          .addUserMessage("count the tokens of this question").build()).inputTokens())
          .as("Fanout's count of the same request").isEqualTo(plain.inputTokens());
    }
    assertThat(backend.stats().requests(Routes.COUNT_TOKENS)).isEqualTo(3);
  }

  @Test
  void aStreamParsesEventByEventAndAccumulatesToTheMessage() {
    MessageAccumulator accumulator = MessageAccumulator.create();
    List<String> types = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    try (StreamResponse<RawMessageStreamEvent> stream =
        anthropic.messages().createStreaming(ask("tell me about Oslo").build())) {
      stream.stream().forEach(event -> {
        event.validate();
        accumulator.accumulate(event);
        types.add(event.accept(new RawMessageStreamEvent.Visitor<String>() {
          @Override public String visitMessageStart(com.anthropic.models.messages.RawMessageStartEvent e) {
            return "message_start";
          }
          @Override public String visitMessageDelta(com.anthropic.models.messages.RawMessageDeltaEvent e) {
            return "message_delta";
          }
          @Override public String visitMessageStop(com.anthropic.models.messages.RawMessageStopEvent e) {
            return "message_stop";
          }
          @Override public String visitContentBlockStart(com.anthropic.models.messages.RawContentBlockStartEvent e) {
            return "content_block_start";
          }
          @Override public String visitContentBlockDelta(com.anthropic.models.messages.RawContentBlockDeltaEvent e) {
            e.delta().text().ifPresent(d -> text.append(d.text()));
            return "content_block_delta";
          }
          @Override public String visitContentBlockStop(com.anthropic.models.messages.RawContentBlockStopEvent e) {
            return "content_block_stop";
          }
        }));
      });
    }

    // ping is no event of the client's union: it drops it, as it does Anthropic's
    assertThat(types.subList(0, 2)).containsExactly("message_start", "content_block_start");
    assertThat(types.subList(types.size() - 3, types.size()))
        .containsExactly("content_block_stop", "message_delta", "message_stop");
    assertThat(types).filteredOn("content_block_delta"::equals).hasSizeGreaterThan(1);
    Message message = accumulator.message().validate();
    assertThat(message.content()).singleElement().satisfies(b -> assertThat(b.asText().text())
        .isEqualTo(text.toString()).contains("Oslo"));
    assertThat(message.stopReason()).contains(StopReason.END_TURN);
    assertThat(message.usage().inputTokens()).isPositive();
    assertThat(message.usage().outputTokens()).isEqualTo(types.stream().filter("content_block_delta"::equals).count());

    try (FanoutClient fanout = fanout(backend.url())) {
      StringBuilder pieces = new StringBuilder();
      dev.fanout.messages.Message own = fanout.messages()
          .stream(MessageRequest.builder().model(MODEL).maxTokens(200).addUserMessage("tell me about Oslo").build(),
              pieces::append);
      assertThat(own.text()).isEqualTo(pieces.toString()).isEqualTo(text.toString());
    }
    assertThat(backend.stats().requests(Routes.MESSAGES)).isEqualTo(2);
  }

  @Test
  void toolUseParsesAndItsResultGoesBackAsTheClientBuildsIt() {
    MessageCreateParams first = ask("What is the weather in Paris?").addTool(WEATHER).build();
    Message message = anthropic.messages().create(first).validate();

    assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
    ToolUseBlock use = message.content().stream().filter(ContentBlock::isToolUse).map(ContentBlock::asToolUse)
        .findFirst().orElseThrow();
    assertThat(use.id()).startsWith("toolu_");
    assertThat(use.name()).isEqualTo("get_weather");
    assertThat(field(use._input(), "city")).isEqualTo(JsonValue.from("Paris"));
    // a required field of the client's ToolUseBlock, though validate() does not look at it
    assertThat(use.caller().isDirect()).isTrue();

    // the answer goes back as the client builds the next turn: the message as a param, then the tool result
    Message answer = anthropic.messages().create(first.toBuilder()
        .addMessage(message)
        .addUserMessageOfContentBlockParams(List.of(com.anthropic.models.messages.ContentBlockParam.ofToolResult(
            ToolResultBlockParam.builder().toolUseId(use.id()).content("{\"temp\":21}").build())))
        .build()).validate();
    assertThat(answer.stopReason()).contains(StopReason.END_TURN);
    assertThat(answer.content()).singleElement().satisfies(b -> assertThat(b.asText().text()).contains("get_weather"));

    // streamed: input_json_delta fragments joined by the accumulator
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(
        ask("What is the weather in Lima?").addTool(WEATHER).build())) {
      stream.stream().forEach(event -> accumulator.accumulate(event.validate()));
    }
    Message streamed = accumulator.message().validate();
    assertThat(streamed.stopReason()).contains(StopReason.TOOL_USE);
    assertThat(streamed.content()).filteredOn(ContentBlock::isToolUse).singleElement()
        .satisfies(b -> assertThat(field(b.asToolUse()._input(), "city")).isEqualTo(JsonValue.from("Lima")));
    assertThat(backend.stats().requests(Routes.MESSAGES)).isEqualTo(3);
  }

  @Test
  void aBadRequestIsTheClientsBadRequestException() {
    BadRequestException e = catchThrowableOfType(BadRequestException.class,
        () -> anthropic.messages().create(ask("hi").maxTokens(-1).build()));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.errorType()).contains(ErrorType.INVALID_REQUEST_ERROR);
    assertThat(e.apiMessage()).hasValueSatisfying(m -> assertThat(m).contains("max_tokens"));
    assertThat(e.requestId()).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
  }

  @Test
  void theMetersRefusalIsTheClientsRateLimitException() {
    // 60 requests a minute, one second deep, on a clock that stands still: one request, then a 429
    Faults metered = Faults.builder().requestsPerMinute(60).meterClock(() -> 0L).build();
    try (MockBackend limited = MockBackend.builder().latency(Latency.none()).faults(metered).start()) {
      AnthropicClient client = client(limited.url());
      try {
        client.messages().create(ask("hi").build()).validate();
        RateLimitException e = catchThrowableOfType(RateLimitException.class,
            () -> client.messages().create(ask("hi").build()));

        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.errorType()).contains(ErrorType.RATE_LIMIT_ERROR);
        assertThat(field(e.body(), "type")).isEqualTo(JsonValue.from("error"));
        assertThat(e.apiMessage()).isPresent();
        assertThat(e.headers().values("retry-after")).containsExactly("1");
        assertThat(e.headers().values("anthropic-ratelimit-requests-limit")).containsExactly("60");

        try (FanoutClient fanout = fanout(limited.url())) {
          assertThatThrownBy(() -> fanout.messages().create(
              MessageRequest.builder().model(MODEL).maxTokens(200).addUserMessage("hi").build()))
              .isInstanceOf(dev.fanout.errors.RateLimitedException.class);
        }
        assertThat(limited.stats().requests(Routes.MESSAGES)).isEqualTo(3);
        assertThat(limited.stats().faults(dev.fanout.mock.Stats.RATE_LIMITED)).isEqualTo(2);
      } finally {
        client.close();
      }
    }
  }

  @Test
  void anInjectedOverloadIsTheClientsOverloadedException() {
    // every request faulted: the seeded sequence draws 500, 502 or 503, and a 503 on this route is Anthropic's 529
    Faults failing = Faults.builder().route(Routes.MESSAGES, Faults.builder().errorRate(1.0).build()).build();
    try (MockBackend faulty = MockBackend.builder().latency(Latency.none()).faults(failing).start()) {
      AnthropicClient client = client(faulty.url());
      try {
        OverloadedException overloaded = null;
        for (int i = 0; i < 30 && overloaded == null; i++) {
          Throwable t = catchThrowable(() -> client.messages().create(ask("hi").build()));
          assertThat(t).isInstanceOfAny(OverloadedException.class, InternalServerException.class);
          AnthropicServiceException e = (AnthropicServiceException) t;
          if (t instanceof OverloadedException o) {
            overloaded = o;
          } else {
            assertThat(e.statusCode()).isIn(500, 502);
            assertThat(e.errorType()).contains(ErrorType.API_ERROR);
          }
        }
        assertThat(overloaded).as("a 529 in 30 faults").isNotNull();
        assertThat(overloaded.statusCode()).isEqualTo(529);
        assertThat(overloaded.errorType()).contains(ErrorType.OVERLOADED_ERROR);
      } finally {
        client.close();
      }
    }
  }

  /** A member of a JSON object (the client's JsonValue extends a raw JsonField, so asObject() is untyped). */
  private static JsonValue field(JsonValue object, String name) {
    return (JsonValue) ((Map<?, ?>) object.asObject().orElseThrow()).get(name);
  }

  private static FanoutClient fanout(String baseUrl) {
    return FanoutClient.builder().baseUrl(baseUrl).apiKey("sk-ant-test")
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
  }
}
