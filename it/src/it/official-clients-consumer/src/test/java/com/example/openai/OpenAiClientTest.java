package com.example.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.MultipartField;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponse;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.Embedding;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.chat.ChatRequest;
import dev.fanout.embeddings.EmbeddingRequest;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Routes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's test: the official OpenAI Java client (openai-java) against the mock's chat completions, embeddings,
 * Files and Batch APIs, beside Fanout's own client. Whatever the official client's types reject is a gap between
 * the mock and OpenAI's wire format, so every response is {@code validate()}d (the client checks types lazily
 * otherwise).
 */
@Timeout(60)
class OpenAiClientTest {
  private static final String MODEL = "gpt-4o-mini";
  private static final String EMBEDDING_MODEL = "text-embedding-3-small";
  private static final JsonMapper JSON = ObjectMappers.jsonMapper();
  private static final FunctionDefinition WEATHER = FunctionDefinition.builder()
      .name("get_weather").description("Weather in a city")
      .parameters(FunctionParameters.builder()
          .putAdditionalProperty("type", JsonValue.from("object"))
          .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
          .putAdditionalProperty("required", JsonValue.from(List.of("city")))
          .build())
      .build();

  @RegisterExtension
  static MockBackendExtension backend = MockBackendExtension.builder().latency(Latency.none()).build();

  static OpenAIClient openai;

  @BeforeAll
  static void client() {
    openai = client(backend.backend());
  }

  @AfterAll
  static void close() {
    openai.close();
  }

  static OpenAIClient client(MockBackend mock) {
    // the client appends chat/completions to its base URL, as to https://api.openai.com/v1
    return OpenAIOkHttpClient.builder().baseUrl(mock.openAiBaseUrl()).apiKey("sk-test").maxRetries(0).build();
  }

  static ChatCompletionCreateParams.Builder ask(String text) {
    return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(text);
  }

  @Test
  void aCompletionParsesAsTheClientsTypesAndFanoutReadsTheSame() {
    ChatCompletion completion = openai.chat().completions().create(ask("hello from openai-java").build()).validate();

    assertThat(completion.id()).startsWith("chatcmpl-");
    assertThat(completion._object_()).isEqualTo(JsonValue.from("chat.completion"));
    assertThat(completion.model()).isEqualTo(MODEL);
    assertThat(completion.created()).isPositive();
    assertThat(completion.choices()).singleElement().satisfies(choice -> {
      assertThat(choice.index()).isZero();
      assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
      assertThat(choice.message()._role()).isEqualTo(JsonValue.from("assistant"));
      assertThat(choice.message().content()).hasValueSatisfying(t -> assertThat(t).contains("hello from openai-java"));
      assertThat(choice.message().toolCalls()).isEmpty();
    });
    CompletionUsage usage = completion.usage().orElseThrow();
    assertThat(usage.promptTokens()).isPositive();
    assertThat(usage.completionTokens()).isPositive();
    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());

    try (FanoutClient fanout = fanout(backend.url())) {
      dev.fanout.chat.ChatCompletion own = fanout.chat()
          .create(ChatRequest.builder().model(MODEL).addUserMessage("hello from openai-java").build());
      assertThat(own.content()).isEqualTo(completion.choices().get(0).message().content().orElseThrow());
      assertThat(own.usage().orElseThrow().promptTokens()).isEqualTo(usage.promptTokens());
      assertThat(own.usage().orElseThrow().completionTokens()).isEqualTo(usage.completionTokens());
    }
    assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(2);
  }

  @Test
  void aStreamParsesChunkByChunkAndAccumulatesToTheCompletion() {
    ChatCompletionCreateParams params = ask("tell me about Oslo")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunk -> {
        chunk.validate();
        accumulator.accumulate(chunk);
        chunks.add(chunk);
        chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
      });
    }

    assertThat(chunks).hasSizeGreaterThan(3);
    assertThat(chunks).allSatisfy(c -> {
      assertThat(c._object_()).isEqualTo(JsonValue.from("chat.completion.chunk"));
      assertThat(c.id()).isEqualTo(chunks.get(0).id());
      assertThat(c.model()).isEqualTo(MODEL);
    });
    assertThat(chunks.get(0).choices()).singleElement()
        .satisfies(c -> assertThat(c.delta().role()).contains(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT));
    // with include_usage, every chunk carries usage null but the last, which has no choices and the usage
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    CompletionUsage usage = last.usage().orElseThrow();
    assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.usage()).isEmpty());
    assertThat(chunks.get(chunks.size() - 2).choices()).singleElement()
        .satisfies(c -> assertThat(c.finishReason()).contains(ChatCompletionChunk.Choice.FinishReason.STOP));

    ChatCompletion completion = accumulator.chatCompletion().validate();
    assertThat(completion.id()).isEqualTo(last.id());
    assertThat(completion.choices()).singleElement().satisfies(c -> {
      assertThat(c.message().content()).contains(text.toString());
      assertThat(c.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    });
    assertThat(text.toString()).contains("Oslo");
    assertThat(completion.usage()).contains(usage);
    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());

    // the same request unstreamed says the same, and Fanout's stream reads the same pieces
    ChatCompletion whole = openai.chat().completions().create(ask("tell me about Oslo").build()).validate();
    assertThat(whole.choices().get(0).message().content()).contains(text.toString());
    assertThat(whole.usage()).contains(usage);
    try (FanoutClient fanout = fanout(backend.url())) {
      StringBuilder pieces = new StringBuilder();
      dev.fanout.chat.ChatCompletion own = fanout.chat()
          .stream(ChatRequest.builder().model(MODEL).addUserMessage("tell me about Oslo").build(), pieces::append);
      assertThat(own.content()).isEqualTo(pieces.toString()).isEqualTo(text.toString());
    }
    assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(3);
  }

  @Test
  void toolCallsParseAndTheirResultGoesBackAsTheClientBuildsIt() {
    ChatCompletionCreateParams first = ask("What is the weather in Paris?").addFunctionTool(WEATHER).build();
    ChatCompletion completion = openai.chat().completions().create(first).validate();

    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(choice.message().content()).isEmpty();
    ChatCompletionMessageToolCall call = choice.message().toolCalls().orElseThrow().get(0);
    assertThat(call.isFunction()).isTrue();
    ChatCompletionMessageFunctionToolCall function = call.asFunction();
    assertThat(function.id()).startsWith("call_");
    assertThat(function._type()).isEqualTo(JsonValue.from("function"));
    assertThat(function.function().name()).isEqualTo("get_weather");
    assertThat(arguments(function).path("city").asText()).isEqualTo("Paris");

    // the answer goes back as the client builds the next turn: the message as a param, then the tool result
    ChatCompletion answer = openai.chat().completions().create(first.toBuilder()
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(function.id()).content("{\"temp\":21}").build())
        .build()).validate();
    assertThat(answer.choices()).singleElement().satisfies(c -> {
      assertThat(c.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
      assertThat(c.message().toolCalls()).isEmpty();
      assertThat(c.message().content()).hasValueSatisfying(t -> assertThat(t).contains("get_weather", "21"));
    });

    // streamed: delta.tool_calls fragments joined by the accumulator
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(
        ask("What is the weather in Lima?").addFunctionTool(WEATHER).build())) {
      stream.stream().forEach(chunk -> accumulator.accumulate(chunk.validate()));
    }
    ChatCompletion.Choice streamed = accumulator.chatCompletion().validate().choices().get(0);
    assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    assertThat(streamed.message().toolCalls().orElseThrow()).singleElement().satisfies(c -> {
      assertThat(c.asFunction().id()).startsWith("call_");
      assertThat(c.asFunction().function().name()).isEqualTo("get_weather");
      assertThat(arguments(c.asFunction()).path("city").asText()).isEqualTo("Lima");
    });
    assertThat(backend.stats().requests(Routes.CHAT)).isEqualTo(3);
  }

  @Test
  void embeddingsParseAsFloatsAndAsBase64AndFanoutReadsTheSameVector() throws InterruptedException {
    EmbeddingCreateParams.Builder params = EmbeddingCreateParams.builder()
        .model(EMBEDDING_MODEL).inputOfArrayOfStrings(List.of("the cat sat", "a cat sat")).dimensions(8);

    // the client asks for base64 when the caller names no encoding, and decodes it to floats
    CreateEmbeddingResponse byDefault = openai.embeddings().create(params.build()).validate();
    ReceivedRequest sent = backend.backend().takeRequest(5, TimeUnit.SECONDS);
    assertThat(json(sent.bodyUtf8()).path("encoding_format").asText()).isEqualTo("base64");
    assertThat(byDefault.data()).allSatisfy(e -> assertThat(e.embeddingValue().isBase64()).isTrue());

    CreateEmbeddingResponse floats = openai.embeddings()
        .create(params.encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build()).validate();
    CreateEmbeddingResponse base64 = openai.embeddings()
        .create(params.encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build()).validate();

    assertThat(floats._object_()).isEqualTo(JsonValue.from("list"));
    assertThat(floats.model()).isEqualTo(EMBEDDING_MODEL);
    assertThat(floats.usage().promptTokens()).isPositive().isEqualTo(floats.usage().totalTokens());
    assertThat(floats.data()).hasSize(2).allSatisfy(e -> {
      assertThat(e._object_()).isEqualTo(JsonValue.from("embedding"));
      assertThat(e.embeddingValue().isFloats()).isTrue();
      assertThat(e.embedding()).hasSize(8);
    });
    assertThat(floats.data()).extracting(Embedding::index).containsExactly(0L, 1L);
    assertThat(base64.data()).allSatisfy(e -> assertThat(e.embeddingValue().isBase64()).isTrue());
    // the client decodes base64 (little-endian float32) to the same floats
    List<List<Float>> vectors = floats.data().stream().map(Embedding::embedding).toList();
    assertThat(base64.data()).extracting(Embedding::embedding).containsExactlyElementsOf(vectors);
    assertThat(byDefault.data()).extracting(Embedding::embedding).containsExactlyElementsOf(vectors);

    try (FanoutClient fanout = fanout(backend.url())) {
      float[] own = fanout.embeddings().create(EmbeddingRequest.builder().model(EMBEDDING_MODEL)
          .addInput("the cat sat").dimensions(8).build()).embedding(0).vector();
      List<Float> official = floats.data().get(0).embedding();
      assertThat(own).hasSize(official.size());
      for (int i = 0; i < own.length; i++) assertThat(own[i]).isEqualTo(official.get(i));
    }
    assertThat(backend.stats().requests(Routes.EMBEDDINGS)).isEqualTo(4);
  }

  @Test
  void aBatchRunsThroughTheFilesAndBatchApisAsTheClientCallsThem() throws IOException {
    // the batch's clock is the meter clock: this test moves it by hand, past the completion time
    AtomicLong clock = new AtomicLong();
    Duration completionTime = MockBackend.DEFAULT_BATCH_COMPLETION_TIME;
    try (MockBackend mock = MockBackend.builder().latency(Latency.none())
        .faults(Faults.builder().meterClock(clock::get).build()).start()) {
      OpenAIClient client = client(mock);
      try {
        String jsonl = line("q-1", "Hello from line one") + "\n" + line("q-2", "Hello from line two") + "\n";
        FileObject input = client.files().create(FileCreateParams.builder()
            .file(MultipartField.<InputStream>builder()
                .value(new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)))
                .filename("requests.jsonl").build())
            .purpose(FilePurpose.BATCH).build()).validate();
        assertThat(input.id()).startsWith("file-");
        assertThat(input.purpose()).isEqualTo(FileObject.Purpose.BATCH);
        assertThat(input.filename()).isEqualTo("requests.jsonl");
        assertThat(input.bytes()).isEqualTo(jsonl.getBytes(StandardCharsets.UTF_8).length);

        Batch created = client.batches().create(BatchCreateParams.builder().inputFileId(input.id())
            .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
            .completionWindow(BatchCreateParams.CompletionWindow._24H).build()).validate();
        assertThat(created.id()).startsWith("batch_");
        assertThat(created.status()).isEqualTo(Batch.Status.VALIDATING);
        assertThat(created.endpoint()).isEqualTo("/v1/chat/completions");

        Batch running = client.batches().retrieve(created.id()).validate();
        assertThat(running.status()).isEqualTo(Batch.Status.IN_PROGRESS);
        assertThat(running.outputFileId()).isEmpty();

        clock.addAndGet(completionTime.toNanos());
        Batch done = client.batches().retrieve(created.id()).validate();
        assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
        assertThat(done.requestCounts()).hasValueSatisfying(c -> {
          assertThat(c.total()).isEqualTo(2);
          assertThat(c.completed()).isEqualTo(2);
          assertThat(c.failed()).isZero();
        });
        assertThat(done.completedAt()).isPresent();
        assertThat(done.errorFileId()).isEmpty();
        String outputId = done.outputFileId().orElseThrow();
        assertThat(client.files().retrieve(outputId).validate().purpose()).isEqualTo(FileObject.Purpose.BATCH_OUTPUT);

        List<String> ids = new ArrayList<>();
        try (HttpResponse content = client.files().content(outputId)) {
          assertThat(content.statusCode()).isEqualTo(200);
          String output = new String(content.body().readAllBytes(), StandardCharsets.UTF_8);
          for (String line : output.split("\n")) {
            JsonNode result = json(line);
            assertThat(result.path("id").asText()).startsWith("batch_req_");
            assertThat(result.path("error").isNull()).isTrue();
            JsonNode response = result.path("response");
            assertThat(response.path("status_code").asInt()).isEqualTo(200);
            assertThat(response.path("request_id").isTextual()).isTrue();
            // each body is what the chat route answers: the client's own ChatCompletion
            ChatCompletion body = JSON.treeToValue(response.path("body"), ChatCompletion.class).validate();
            String expected = result.path("custom_id").asText().equals("q-1") ? "line one" : "line two";
            assertThat(body.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).contains(expected));
            ids.add(result.path("custom_id").asText());
          }
        }
        assertThat(ids).containsExactlyInAnyOrder("q-1", "q-2");
      } finally {
        client.close();
      }
    }
  }

  @Test
  void aBadRequestIsTheClientsBadRequestExceptionInOpenAisErrorShape() {
    BadRequestException e = catchThrowableOfType(BadRequestException.class,
        () -> openai.chat().completions().create(ask("hi").n(129).build()));

    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.type()).contains("invalid_request_error");
    assertThat(e.param()).contains("n");
    assertThat(e.code()).contains("integer_above_max_value");
    assertThat(message(e)).contains("'n'", "129");

    BadRequestException missing = catchThrowableOfType(BadRequestException.class,
        () -> openai.chat().completions().create(ask("hi").model("").build()));
    assertThat(missing.type()).contains("invalid_request_error");
    assertThat(missing.param()).contains("model");
    assertThat(missing.code()).contains("missing_required_parameter");
  }

  @Test
  void theMetersRefusalIsTheClientsRateLimitException() {
    // 60 requests a minute, one second deep, on a clock that stands still: one request, then a 429
    Faults metered = Faults.builder().requestsPerMinute(60).meterClock(() -> 0L).build();
    try (MockBackend limited = MockBackend.builder().latency(Latency.none()).faults(metered).start()) {
      OpenAIClient client = client(limited);
      try {
        client.chat().completions().create(ask("hi").build()).validate();
        RateLimitException e = catchThrowableOfType(RateLimitException.class,
            () -> client.chat().completions().create(ask("hi").build()));

        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.type()).contains("requests");
        assertThat(e.code()).contains("rate_limit_exceeded");
        assertThat(message(e)).startsWith("Rate limit reached for " + MODEL);
        assertThat(e.headers().values("retry-after")).containsExactly("1");
        assertThat(e.headers().values("retry-after-ms")).singleElement().asString().containsOnlyDigits();
        assertThat(e.headers().values("x-ratelimit-limit-requests")).containsExactly("60");

        try (FanoutClient fanout = fanout(limited.url())) {
          assertThatThrownBy(() -> fanout.chat()
              .create(ChatRequest.builder().model(MODEL).addUserMessage("hi").build()))
              .isInstanceOf(dev.fanout.errors.RateLimitedException.class);
        }
        assertThat(limited.stats().requests(Routes.CHAT)).isEqualTo(3);
        assertThat(limited.stats().faults(dev.fanout.mock.Stats.RATE_LIMITED)).isEqualTo(2);
      } finally {
        client.close();
      }
    }
  }

  private static String line(String customId, String question) {
    return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"
        + "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}}";
  }

  private static JsonNode arguments(ChatCompletionMessageFunctionToolCall call) {
    return json(call.function().arguments());
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /**
   * The {@code error.message} of an error response: the client's {@code body()} is the {@code error} object it
   * unwrapped (its JsonValue extends a raw JsonField, so {@code asObject()} and {@code asString()} are untyped).
   */
  private static String message(OpenAIServiceException e) {
    JsonValue message = (JsonValue) ((Map<?, ?>) e.body().asObject().orElseThrow()).get("message");
    assertThat(message).as("error.message in %s", e.body()).isNotNull();
    return (String) message.asString().orElseThrow();
  }

  private static FanoutClient fanout(String baseUrl) {
    return FanoutClient.builder().baseUrl(baseUrl).apiKey("sk-test")
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
  }
}
