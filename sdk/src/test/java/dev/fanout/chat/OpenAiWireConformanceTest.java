package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.UnauthorizedException;
import dev.fanout.testsupport.AutoAdvance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat path read against the bytes OpenAI's API sends (response bodies, event streams and error bodies
 * as documented and as recorded from api.openai.com), one route of the server per case.
 */
@Timeout(20)
class OpenAiWireConformanceTest {
  private static final String KEY = "sk-proj-conformance-0123456789abcdef";

  /** A completion that calls a tool, as gpt-4o answers today: every nullable field present and null. */
  private static final String TOOL_CALL_COMPLETION = """
      {
        "id": "chatcmpl-BGw3hDm0uXq9fOjCv0ZCcYcuIDz5x",
        "object": "chat.completion",
        "created": 1744022125,
        "model": "gpt-4o-2024-08-06",
        "choices": [
          {
            "index": 0,
            "message": {
              "role": "assistant",
              "content": null,
              "tool_calls": [
                {
                  "id": "call_lOs3Jk7SnPqGMF2AH6dHmaDk",
                  "type": "function",
                  "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}
                }
              ],
              "refusal": null,
              "annotations": [],
              "audio": null,
              "function_call": null
            },
            "logprobs": null,
            "finish_reason": "tool_calls"
          }
        ],
        "usage": {
          "prompt_tokens": 81,
          "completion_tokens": 15,
          "total_tokens": 96,
          "prompt_tokens_details": {"cached_tokens": 64, "audio_tokens": 0},
          "completion_tokens_details": {
            "reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0
          }
        },
        "service_tier": "default",
        "system_fingerprint": "fp_898ac29719",
        "a_field_added_next_year": {"nested": [1, 2, 3]}
      }
      """;

  /** Four choices (n=4), each stopped for another reason, one of them a reason this SDK does not know. */
  private static final String FOUR_REASONS = """
      {"id":"chatcmpl-4","object":"chat.completion","created":1744022126,"model":"o3-mini-2025-01-31",
       "choices":[
        {"index":3,"message":{"role":"assistant","content":"","refusal":null,"annotations":[]},"logprobs":null,
         "finish_reason":"content_filter"},
        {"index":0,"message":{"role":"assistant","content":"Done.","refusal":null,"annotations":[]},"logprobs":null,
         "finish_reason":"stop"},
        {"index":1,"message":{"role":"assistant","content":"Once upon a","refusal":null,"annotations":[]},
         "logprobs":null,"finish_reason":"length"},
        {"index":2,"message":{"role":"assistant","content":"?","refusal":null,"annotations":[]},"logprobs":null,
         "finish_reason":"a_reason_added_later"}],
       "usage":{"prompt_tokens":9,"completion_tokens":300,"total_tokens":309,
        "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
        "completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0,"accepted_prediction_tokens":0,
         "rejected_prediction_tokens":0}},
       "service_tier":"default","system_fingerprint":null}
      """;

  private static final String CHUNK_HEAD = "{\"id\":\"chatcmpl-S\",\"object\":\"chat.completion.chunk\","
      + "\"created\":1744022127,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\","
      + "\"system_fingerprint\":\"fp_b376dfbbd5\",";

  private final MockWebServer server = new MockWebServer();
  private final AutoAdvance time = new AutoAdvance();
  private final List<FanoutClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return route(request.getUrl().encodedPath());
      }
    });
    server.start();
  }

  @AfterEach
  void tearDown() {
    clients.forEach(FanoutClient::close);
    server.close();
    time.close();
  }

  private static MockResponse route(String path) {
    switch (path) {
      case "/tool/v1/chat/completions":
        return json(200, TOOL_CALL_COMPLETION);
      case "/reasons/v1/chat/completions":
        return json(200, FOUR_REASONS);
      case "/error-mid-stream/v1/chat/completions":
        return sse(chunk("{\"role\":\"assistant\",\"content\":\"Hel\"}", "null")
            + "data: {\"error\":{\"message\":\"The server had an error while processing your request. Sorry about "
            + "that!\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n")
            .newBuilder().setHeader("x-request-id", "req_mid").build();
      case "/rate-limit-mid-stream/v1/chat/completions":
        return sse("data: {\"error\":{\"message\":\"Rate limit reached for gpt-4o in organization org-x on tokens "
            + "per min (TPM): Limit 30000, Used 30000, Requested 1.\",\"type\":\"tokens\",\"param\":null,"
            + "\"code\":\"rate_limit_exceeded\"}}\n\n");
      case "/null-error/v1/chat/completions":
        // Some OpenAI-compatible servers put "error": null on every chunk.
        return sse("data: " + CHUNK_HEAD + "\"error\":null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},"
            + "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
      case "/compact/v1/chat/completions":
        // "data:" without the space, CRLF line endings, a keep-alive comment, the usage chunk with no choices.
        return sse(("data:" + CHUNK_HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
            + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\r\n\r\n"
            + ": keep-alive\r\n\r\n"
            + "data:" + CHUNK_HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,"
            + "\"finish_reason\":null}],\"usage\":null}\r\n\r\n"
            + "data:" + CHUNK_HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
            + "\"finish_reason\":\"stop\"}],\"usage\":null}\r\n\r\n"
            + "data:" + CHUNK_HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2,"
            + "\"total_tokens\":10,\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
            + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\r\n\r\n"
            + "data:[DONE]\r\n\r\n"));
      case "/azure/v1/chat/completions":
        // Azure OpenAI: a prompt-filter chunk with no choices and an empty id and model comes first.
        return sse("data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\",\"object\":\"\","
            + "\"prompt_filter_results\":[{\"prompt_index\":0,\"content_filter_results\":{\"hate\":{\"filtered\":"
            + "false,\"severity\":\"safe\"}}}]}\n\n"
            + chunk("{\"role\":\"assistant\",\"content\":\"Hi\"}", "null")
            + chunk("{}", "\"stop\"") + "data: [DONE]\n\n");
      case "/bad-request/v1/chat/completions":
        return json(400, """
            {
              "error": {
                "message": "Invalid value for 'temperature': expected a number between 0 and 2.",
                "type": "invalid_request_error",
                "param": "temperature",
                "code": "decimal_above_max_value"
              }
            }
            """).newBuilder().setHeader("x-request-id", "req_5f1f0fbd3a3e4c0b9a6f2d7b3a1e9c04").build();
      case "/bad-key/v1/chat/completions":
        // OpenAI quotes the start and end of a key it does not accept.
        return json(401, "{\n    \"error\": {\n        \"message\": \"Incorrect API key provided: " + KEY
            + ". You can find your API key at https://platform.openai.com/account/api-keys.\",\n        "
            + "\"type\": \"invalid_request_error\",\n        \"param\": null,\n        \"code\": \"invalid_api_key\"\n"
            + "    }\n}\n").newBuilder().setHeader("x-request-id", "req_401").build();
      case "/quota/v1/chat/completions":
        return json(429, "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan and "
            + "billing details.\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}")
            .newBuilder().setHeader("x-request-id", "req_429").setHeader("retry-after", "20").build();
      case "/proxy/v1/chat/completions":
        return new MockResponse.Builder().code(502).setHeader("Content-Type", "text/html")
            .body("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway"
                + "</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n").build();
      default:
        return json(404, "{\"error\":{\"message\":\"no route " + path + "\",\"type\":\"invalid_request_error\"}}");
    }
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream; charset=utf-8").body(body).build();
  }

  private static String chunk(String delta, String finishReason) {
    return "data: " + CHUNK_HEAD + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,"
        + "\"finish_reason\":" + finishReason + "}],\"usage\":null}\n\n";
  }

  /** The chat service of a client whose base URL is the route {@code /route/}. */
  private ChatService chat(String route) {
    FanoutClient client = FanoutClient.builder().baseUrl(server.url("/" + route + "/").toString()).apiKey(KEY)
        .retryPolicy(RetryPolicy.none()).clock(time.clock())
        .streamIdleTimeout(Duration.ZERO).totalTimeout(Duration.ZERO).build();
    clients.add(client);
    return client.chat();
  }

  private static ChatRequest hello() {
    return ChatRequest.builder().model("gpt-4o").addUserMessage("hi").build();
  }

  @Test
  void readsAToolCallingCompletionWithEveryNullableFieldNull() {
    ChatCompletion c = chat("tool").create(hello());

    assertThat(c.id()).isEqualTo("chatcmpl-BGw3hDm0uXq9fOjCv0ZCcYcuIDz5x");
    assertThat(c.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(c.message().hasContent()).isFalse();
    assertThat(c.content()).isEmpty();
    assertThat(c.message().refusal()).isEmpty();
    assertThat(c.toolCalls()).containsExactly(
        ToolCall.function("call_lOs3Jk7SnPqGMF2AH6dHmaDk", "get_weather", "{\"city\":\"Paris\"}"));
    assertThat(c.systemFingerprint()).hasValue("fp_898ac29719");
    ChatCompletion.Usage u = c.usage().orElseThrow();
    assertThat(u.promptTokens()).isEqualTo(81);
    assertThat(u.totalTokens()).isEqualTo(96);
    assertThat(u.cachedTokens()).hasValue(64);
    assertThat(u.reasoningTokens()).hasValue(0);
    assertThat(c.raw().path("a_field_added_next_year").path("nested").size()).isEqualTo(3);
  }

  @Test
  void readsEveryFinishReasonAndKeepsAnUnknownOne() {
    ChatCompletion c = chat("reasons").create(hello());

    assertThat(c.choices()).extracting(ChatCompletion.Choice::finishReason).containsExactly(
        FinishReason.STOP, FinishReason.LENGTH, FinishReason.UNKNOWN, FinishReason.CONTENT_FILTER);
    assertThat(c.choice(2).rawFinishReason()).hasValue("a_reason_added_later");
    assertThat(c.systemFingerprint()).isEmpty();
    assertThat(c.usage().orElseThrow().reasoningTokens()).hasValue(256);
  }

  @Test
  void readsACompactCrlfStreamWithCommentsAndAUsageChunk() {
    List<String> deltas = new CopyOnWriteArrayList<>();

    ChatCompletion c = chat("compact").stream(
        ChatRequest.builder().model("gpt-4o-mini").addUserMessage("hi").streamUsage(true).build(), deltas::add);

    assertThat(deltas).containsExactly("Hi");
    assertThat(c.content()).isEqualTo("Hi");
    assertThat(c.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(c.usage().orElseThrow().totalTokens()).isEqualTo(10);
    assertThat(c.systemFingerprint()).hasValue("fp_b376dfbbd5");
  }

  @Test
  void aStreamOpenedByAzuresPromptFilterChunkTakesItsIdAndModelFromTheChunksThatNameThem() {
    ChatCompletion c = chat("azure").stream(hello(), d -> {});

    assertThat(c.id()).isEqualTo("chatcmpl-S");
    assertThat(c.model()).isEqualTo("gpt-4o-mini-2024-07-18");
    assertThat(c.created()).isEqualTo(1744022127L);
    assertThat(c.content()).isEqualTo("Hi");
  }

  @Test
  void anErrorSentMidStreamIsAServerErrorCarryingItsFields() {
    List<String> deltas = new CopyOnWriteArrayList<>();

    Throwable thrown = catchThrowable(() -> chat("error-mid-stream").stream(hello(), deltas::add));

    assertThat(deltas).containsExactly("Hel");
    assertThat(thrown).isInstanceOf(ServerException.class)
        .hasMessageContaining("POST /error-mid-stream/v1/chat/completions")
        .hasMessageContaining("stream carried an error after 1 deltas: server_error: The server had an error");
    ServiceException e = (ServiceException) thrown;
    assertThat(e.errorType()).hasValue("server_error");
    assertThat(e.errorCode()).isEmpty();
    assertThat(e.errorParam()).isEmpty();
    assertThat(e.requestId()).hasValue("req_mid");
  }

  @Test
  void aRateLimitSentInPlaceOfTheStreamIsARateLimit() {
    Throwable thrown = catchThrowable(() -> chat("rate-limit-mid-stream").stream(hello(), d -> {}));

    assertThat(thrown).isInstanceOf(RateLimitedException.class)
        .hasMessageContaining("(code rate_limit_exceeded)");
    assertThat(((ServiceException) thrown).errorCode()).hasValue("rate_limit_exceeded");
    assertThat(((ServiceException) thrown).statusCode()).isEqualTo(429);
  }

  @Test
  void aChunkWithANullErrorIsNotAnError() {
    assertThat(chat("null-error").stream(hello(), d -> {}).content()).isEqualTo("ok");
  }

  @Test
  void anApiErrorIsTypedWithItsTypeCodeParamAndRequestId() {
    Throwable thrown = catchThrowable(() -> chat("bad-request").create(hello()));

    assertThat(thrown).isInstanceOf(BadRequestException.class)
        .hasMessageContaining("HTTP 400 Bad Request (POST /bad-request/v1/chat/completions)")
        .hasMessageContaining("Invalid value for 'temperature'");
    ServiceException e = (ServiceException) thrown;
    assertThat(e.errorMessage()).hasValue("Invalid value for 'temperature': expected a number between 0 and 2.");
    assertThat(e.errorType()).hasValue("invalid_request_error");
    assertThat(e.errorCode()).hasValue("decimal_above_max_value");
    assertThat(e.errorParam()).hasValue("temperature");
    assertThat(e.requestId()).hasValue("req_5f1f0fbd3a3e4c0b9a6f2d7b3a1e9c04");
  }

  @Test
  void aQuotaErrorIsARateLimitWithItsWait() {
    Throwable thrown = catchThrowable(() -> chat("quota").create(hello()));

    assertThat(thrown).isInstanceOf(RateLimitedException.class);
    RateLimitedException e = (RateLimitedException) thrown;
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(20));
    assertThat(e.errorCode()).hasValue("insufficient_quota");
    assertThat(e.requestId()).hasValue("req_429");
  }

  @Test
  void aRejectedKeyEchoedByTheServerAppearsNowhere() {
    Throwable thrown = catchThrowable(() -> chat("bad-key").create(hello()));

    assertThat(thrown).isInstanceOf(UnauthorizedException.class);
    UnauthorizedException e = (UnauthorizedException) thrown;
    assertThat(e.errorCode()).hasValue("invalid_api_key");
    assertThat(e.errorMessage().orElseThrow()).startsWith("Incorrect API key provided: ").doesNotContain(KEY);
    assertThat(e.getMessage()).doesNotContain(KEY).doesNotContain(KEY.substring(8));
    assertThat(e.body()).doesNotContain(KEY);
    assertThat(e.toString()).doesNotContain(KEY);
  }

  @Test
  void anHtmlPageFromAProxyIsAServerErrorThatSaysWhatCame() {
    Throwable thrown = catchThrowable(() -> chat("proxy").create(hello()));

    assertThat(thrown).isInstanceOf(ServerException.class)
        .hasMessageStartingWith("HTTP 502 Bad Gateway (POST /proxy/v1/chat/completions): <html>")
        .hasMessageContaining("502 Bad Gateway</h1>");
    ServiceException e = (ServiceException) thrown;
    assertThat(e.errorType()).isEmpty();
    assertThat(e.errorMessage()).isEmpty();
    assertThat(e.requestId()).isEmpty();
  }
}
