package dev.fanout.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.AuthScheme;
import dev.fanout.CallOptions;
import dev.fanout.Fanout;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.GovernorReport;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.NotFoundException;
import dev.fanout.errors.OverloadedException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.UnauthorizedException;
import dev.fanout.testsupport.AutoAdvance;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Messages API against the bytes Anthropic's API really sends and expects (its API reference and its
 * SDKs' wire types), not against our mock. Each test's client has a base URL of its own, and the server
 * answers by path: the attempts of one call, which never race, take that path's responses in turn.
 */
@Timeout(20)
class AnthropicWireTest {
  private static final String KEY = "sk-ant-api03-wirewirewirewire-AA";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MessageRequest HI = MessageRequest.builder().model("claude-sonnet-4-5").maxTokens(1024)
      .addUserMessage("hi").build();

  private final MockWebServer server = new MockWebServer();
  private final AutoAdvance time = new AutoAdvance();
  private final Map<String, Deque<MockResponse>> routes = new ConcurrentHashMap<>();
  private final Map<String, List<RecordedRequest>> received = new ConcurrentHashMap<>();
  private final List<FanoutClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(request);
        Deque<MockResponse> answers = routes.get(path);
        MockResponse next = answers == null ? null : answers.poll();
        return next != null ? next : new MockResponse.Builder().code(418).body("no route for " + path).build();
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

  /** A client whose calls post to {@code /<name>/v1/messages}, answered in turn by {@code answers}. */
  private FanoutClient client(String name, int maxAttempts, MockResponse... answers) {
    routes.put("/" + name + "/v1/messages", new ArrayDeque<>(List.of(answers)));
    FanoutClient c = FanoutClient.builder()
        .baseUrl(server.url("/" + name + "/v1").toString())
        .apiKey(KEY)
        .retryPolicy(RetryPolicy.builder().maxAttempts(maxAttempts).build())
        .clock(time.clock()).streamIdleTimeout(Duration.ZERO).totalTimeout(Duration.ZERO)
        .build();
    clients.add(c);
    return c;
  }

  private List<RecordedRequest> requests(String name) {
    return received.getOrDefault("/" + name + "/v1/messages", List.of());
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
        .setHeader("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy").body(body).build();
  }

  private static MockResponse sse(String body) {
    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream; charset=utf-8")
        .setHeader("request-id", "req_stream").body(body).build();
  }

  private static String event(String type, String data) {
    return "event: " + type + "\r\ndata: " + data + "\r\n\r\n";
  }

  private static JsonNode tree(String json) throws Exception {
    return JSON.readTree(json);
  }

  // --- requests ---

  @Test
  void aRequestCarriesAnthropicsHeadersAndEveryFieldInItsWireForm() throws Exception {
    String msg = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
        + "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
    FanoutClient c = client("req", 1, json(200, msg));
    JsonNode schema = tree("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
    JsonNode cachedText = tree("{\"type\":\"text\",\"text\":\"<the whole manual>\",\"cache_control\":{\"type\":\"ephemeral\"}}");
    MessageRequest request = MessageRequest.builder().model("claude-sonnet-4-5").maxTokens(2048)
        .system(List.of(ContentBlock.text("You are terse."), new ContentBlock.Other(cachedText)))
        .addUserMessage("weather?")
        .addMessage(MessageParam.assistant(List.of(
            new ContentBlock.ToolUse("toolu_01", "get_weather", tree("{\"city\":\"Paris\"}")))))
        .addMessage(MessageParam.user(List.of(
            ContentBlock.toolResult("toolu_01", List.of(ContentBlock.text("sunny"),
                ContentBlock.imageBase64("image/png", "iVBORw0KGgo="))),
            ContentBlock.toolError("toolu_02", "timed out"),
            ContentBlock.imageUrl("https://example.com/a.jpg"))))
        .temperature(1.0).topP(0.9).topK(40)
        .stopSequences(List.of("\n\nHuman:", "END"))
        .tools(List.of(Tool.of("get_weather", "Weather in a city", schema)))
        .toolChoice(ToolChoice.tool("get_weather").disableParallelToolUse())
        .putExtra("metadata", Map.of("user_id", "user-7f3a"))
        .putExtra("thinking", Map.of("type", "enabled", "budget_tokens", 1024))
        .build();

    c.messages().withOptions(CallOptions.builder().header("anthropic-beta", "token-efficient-tools-2025-02-19").build())
        .create(request);

    RecordedRequest r = requests("req").get(0);
    assertThat(r.getHeaders().get("x-api-key")).isEqualTo(KEY);
    assertThat(r.getHeaders().get("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(r.getHeaders().get("anthropic-beta")).isEqualTo("token-efficient-tools-2025-02-19");
    assertThat(r.getHeaders().get("Authorization")).isNull();
    assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
    JsonNode body = tree(r.getBody().utf8());
    assertThat(body.get("system")).isEqualTo(tree("[{\"type\":\"text\",\"text\":\"You are terse.\"},"
        + "{\"type\":\"text\",\"text\":\"<the whole manual>\",\"cache_control\":{\"type\":\"ephemeral\"}}]"));
    assertThat(body.at("/messages/2/content")).isEqualTo(tree("["
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01\",\"content\":[{\"type\":\"text\",\"text\":\"sunny\"},"
        + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}]},"
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_02\",\"content\":\"timed out\",\"is_error\":true},"
        + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/a.jpg\"}}]"));
    assertThat(body.get("max_tokens").asInt()).isEqualTo(2048);
    assertThat(body.get("temperature").asDouble()).isEqualTo(1.0);
    assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
    assertThat(body.get("top_k").asInt()).isEqualTo(40);
    assertThat(body.get("stop_sequences")).isEqualTo(tree("[\"\\n\\nHuman:\",\"END\"]"));
    assertThat(body.get("tools")).isEqualTo(tree("[{\"name\":\"get_weather\",\"description\":\"Weather in a city\","
        + "\"input_schema\":" + schema + "}]"));
    assertThat(body.get("tool_choice"))
        .isEqualTo(tree("{\"type\":\"tool\",\"name\":\"get_weather\",\"disable_parallel_tool_use\":true}"));
    assertThat(body.get("metadata")).isEqualTo(tree("{\"user_id\":\"user-7f3a\"}"));
    assertThat(body.get("thinking")).isEqualTo(tree("{\"type\":\"enabled\",\"budget_tokens\":1024}"));
    assertThat(body.has("stream")).isFalse();
  }

  @Test
  void serverToolsAndToolsWithCacheControlGoInTheirWireForm() throws Exception {
    String msg = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],"
        + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
    FanoutClient c = client("tools", 1, json(200, msg));
    String search = "{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":5,"
        + "\"allowed_domains\":[\"example.com\"]}";
    String cached = "{\"name\":\"get_time\",\"description\":\"Now\",\"input_schema\":{\"type\":\"object\"},"
        + "\"cache_control\":{\"type\":\"ephemeral\"}}";
    MessageRequest request = HI.newBuilder()
        .tools(List.of(Tool.fromJson(tree(search)), Tool.fromJson(tree(cached))))
        .toolChoice(ToolChoice.tool("web_search"))
        .build();
    c.messages().create(request);
    JsonNode body = tree(requests("tools").get(0).getBody().utf8());
    assertThat(body.get("tools")).isEqualTo(tree("[" + search + "," + cached + "]"));
    assertThat(Tool.fromJson(tree(cached)).inputSchema()).isEqualTo(tree("{\"type\":\"object\"}"));
    assertThatThrownBy(() -> Tool.fromJson(tree("{\"type\":\"web_search_20250305\"}")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a \"name\"");
  }

  @Test
  void theKeyGoesInXApiKeyAloneWhateverTheClientsAuthScheme() {
    String msg = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],"
        + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
    for (AuthScheme scheme : AuthScheme.values()) {
      String name = "auth-" + scheme.name().toLowerCase(java.util.Locale.ROOT);
      routes.put("/" + name + "/v1/messages", new ArrayDeque<>(List.of(json(200, msg))));
      try (FanoutClient c = FanoutClient.builder().baseUrl(server.url("/" + name + "/v1").toString()).apiKey(KEY)
          .authScheme(scheme).clock(time.clock()).build()) {
        c.messages().create(HI);
      }
      RecordedRequest r = requests(name).get(0);
      assertThat(r.getHeaders().values("x-api-key")).as(scheme.name()).containsExactly(KEY);
      assertThat(r.getHeaders().get("Authorization")).as(scheme.name()).isNull();
      assertThat(r.getHeaders().get("api-key")).as(scheme.name()).isNull();
    }
  }

  @Test
  void maxTokensZeroIsSentToWarmThePromptCache() throws Exception {
    String msg = "{\"id\":\"msg_w\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],"
        + "\"stop_reason\":\"max_tokens\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":3,"
        + "\"cache_creation_input_tokens\":4096,\"cache_read_input_tokens\":0,\"output_tokens\":0}}";
    FanoutClient c = client("warm", 1, json(200, msg));
    Message m = c.messages().create(HI.newBuilder().maxTokens(0).build());
    assertThat(tree(requests("warm").get(0).getBody().utf8()).get("max_tokens").isInt()).isTrue();
    assertThat(tree(requests("warm").get(0).getBody().utf8()).get("max_tokens").asInt()).isZero();
    assertThat(m.usage().cacheCreationInputTokens()).isEqualTo(4096);
    assertThat(m.content()).isEmpty();
  }

  @Test
  void aMessageIsGovernedInItsModelsBucketHoweverLargeItsBody() throws Exception {
    String msg = "{\"id\":\"msg_b\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
        + "\"content\":[],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";
    FanoutClient c = client("big", 1, json(200, msg));
    MessageRequest big = HI.newBuilder().addMessage(MessageParam.user(List.of(
        ContentBlock.imageBase64("image/png", "A".repeat(1_200_000)), ContentBlock.text("what is it?")))).build();
    FanoutFuture<List<Message>> run = Fanout.all(List.of(big), (r, context) -> c.messages().createAsync(r),
        FanoutOptions.defaults());
    assertThat(run.get(15, TimeUnit.SECONDS)).hasSize(1);
    assertThat(run.report().governor().buckets()).extracting(GovernorReport.Bucket::name)
        .containsExactly("claude-sonnet-4-5");
  }

  @Test
  void aSystemPromptTakesTextBlocksOnlyAndAStringReplacesThem() {
    assertThatThrownBy(() -> MessageRequest.builder().system(List.of(ContentBlock.imageUrl("https://example.com/a.png"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("system blocks[0] is a image block: the system prompt takes text blocks only");
    MessageRequest r = MessageRequest.builder().model("m").maxTokens(5).addUserMessage("hi")
        .system(List.of(ContentBlock.text("a"))).system("b").build();
    assertThat(r.system()).isEqualTo("b");
    assertThat(r.systemBlocks()).isEmpty();
    assertThat(r.newBuilder().system(List.of(ContentBlock.text("c"))).build().system()).isNull();
    assertThatThrownBy(() -> ContentBlock.toolResult("toolu_1", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one block");
    assertThatThrownBy(() -> MessageRequest.builder().model("m").addUserMessage("hi").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("max_tokens");
    assertThat(MessageRequest.builder().model("m").maxTokens(5).addMessage(MessageParam.assistant("How can I help?"))
        .addUserMessage("hi").build().messages()).extracting(MessageParam::role)
        .as("the API takes an assistant turn first").containsExactly(MessageParam.Role.ASSISTANT, MessageParam.Role.USER);
  }

  // --- responses ---

  @Test
  void aResponseKeepsEveryBlockTypeAndReadsStopReasonsAndUsageAsSent() throws Exception {
    String msg = "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":["
        + "{\"type\":\"thinking\",\"thinking\":\"Let me search.\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3h\"},"
        + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4a\"},"
        + "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_01\",\"name\":\"web_search\",\"input\":{\"query\":\"paris weather\"}},"
        + "{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_01\",\"content\":[{\"type\":\"web_search_result\","
        + "\"url\":\"https://example.com\",\"title\":\"Weather\",\"encrypted_content\":\"EqgfCioIARgB\",\"page_age\":null}]},"
        + "{\"type\":\"text\",\"text\":\"It is sunny.\",\"citations\":[{\"type\":\"web_search_result_location\","
        + "\"url\":\"https://example.com\",\"title\":\"Weather\",\"encrypted_index\":\"Eo8BCioIAhgB\",\"cited_text\":\"sunny\"}]},"
        + "{\"type\":\"a_block_from_next_year\",\"whatever\":[1,2]}],"
        + "\"stop_reason\":\"%s\",\"stop_sequence\":%s,"
        + "\"usage\":{\"input_tokens\":2095,\"output_tokens\":503,\"cache_creation_input_tokens\":null,"
        + "\"cache_read_input_tokens\":2048,\"cache_creation\":{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},"
        + "\"server_tool_use\":{\"web_search_requests\":1},\"service_tier\":\"standard\"}}";
    FanoutClient c = client("resp", 1,
        json(200, String.format(msg, "pause_turn", "null")),
        json(200, String.format(msg, "stop_sequence", "\"END\"")),
        json(200, String.format(msg, "model_context_window_exceeded", "null")),
        json(200, String.format(msg, "refusal", "null")),
        json(200, String.format(msg, "a_reason_from_next_year", "null")));

    Message m = c.messages().create(HI);
    assertThat(m.content()).extracting(ContentBlock::type).containsExactly("thinking", "redacted_thinking",
        "server_tool_use", "web_search_tool_result", "text", "a_block_from_next_year");
    assertThat(m.text()).isEqualTo("It is sunny.");
    assertThat(m.toolUses()).as("a server tool use is not the caller's to answer").isEmpty();
    assertThat(m.stopReason()).isEqualTo(StopReason.PAUSE_TURN);
    assertThat(m.usage()).isEqualTo(new Message.Usage(2095, 503, 0, 2048,
        Optional.of(new Message.Usage.CacheCreation(0, 0)), Optional.of(new Message.Usage.ServerToolUse(1, 0)),
        Optional.of("standard")));
    assertThat(m.raw().at("/content/4/citations/0/cited_text").asText()).isEqualTo("sunny");
    assertThat(((ContentBlock.Text) m.content().get(4)).citations()).singleElement()
        .satisfies(cite -> assertThat(cite.get("encrypted_index").asText()).isEqualTo("Eo8BCioIAhgB"));

    Message stopped = c.messages().create(HI);
    assertThat(stopped.stopReason()).isEqualTo(StopReason.STOP_SEQUENCE);
    assertThat(stopped.stopSequence()).contains("END");
    assertThat(c.messages().create(HI).stopReason()).isEqualTo(StopReason.MODEL_CONTEXT_WINDOW_EXCEEDED);
    assertThat(c.messages().create(HI).stopReason()).isEqualTo(StopReason.REFUSAL);
    Message future = c.messages().create(HI);
    assertThat(future.stopReason()).isEqualTo(StopReason.OTHER);
    assertThat(future.rawStopReason()).contains("a_reason_from_next_year");

    // Sent back (pause_turn asks for it), the thinking blocks go as they came: their signatures unchanged.
    routes.put("/resp/v1/messages", new ArrayDeque<>(List.of(json(200, String.format(msg, "end_turn", "null")))));
    c.messages().create(HI.newBuilder().addMessage(m.toParam()).build());
    JsonNode sent = tree(requests("resp").get(5).getBody().utf8()).at("/messages/1/content");
    assertThat(sent.get(0)).isEqualTo(tree("{\"type\":\"thinking\",\"thinking\":\"Let me search.\","
        + "\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3h\"}"));
    assertThat(sent.get(1)).isEqualTo(tree("{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4a\"}"));
    assertThat(sent.get(2).get("type").asText()).isEqualTo("server_tool_use");
    assertThat(sent.get(4)).as("a cited text goes back with its citations").isEqualTo(tree("{\"type\":\"text\","
        + "\"text\":\"It is sunny.\",\"citations\":[{\"type\":\"web_search_result_location\",\"url\":\"https://example.com\","
        + "\"title\":\"Weather\",\"encrypted_index\":\"Eo8BCioIAhgB\",\"cited_text\":\"sunny\"}]}"));
  }

  @Test
  void usageReadsCacheTimesToLiveServerToolsAndServiceTierAsAnthropicDocumentsThem() throws Exception {
    // The usage of the prompt-caching guide's 1-hour example and of the web fetch tool's guide, then every
    // field of the reference's Usage object, then every optional part null.
    String cached = "{\"input_tokens\": 2048, \"cache_read_input_tokens\": 1800, \"cache_creation_input_tokens\": 248,"
        + " \"output_tokens\": 503, \"cache_creation\": {\"ephemeral_5m_input_tokens\": 456,"
        + " \"ephemeral_1h_input_tokens\": 100}}";
    String fetched = "{\"input_tokens\": 25039, \"output_tokens\": 931, \"cache_read_input_tokens\": 0,"
        + " \"cache_creation_input_tokens\": 0, \"server_tool_use\": {\"web_fetch_requests\": 1}}";
    String full = "{\"cache_creation\":{\"ephemeral_1h_input_tokens\":0,\"ephemeral_5m_input_tokens\":0},"
        + "\"cache_creation_input_tokens\":2051,\"cache_read_input_tokens\":2051,\"inference_geo\":\"us\","
        + "\"input_tokens\":2095,\"output_tokens\":503,\"server_tool_use\":{\"web_fetch_requests\":2,"
        + "\"web_search_requests\":0},\"service_tier\":\"priority\"}";
    String nulls = "{\"input_tokens\":12,\"output_tokens\":6,\"cache_creation\":null,\"server_tool_use\":null,"
        + "\"service_tier\":null}";
    String msg = "{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
        + "\"usage\":%s}";
    FanoutClient c = client("usage", 1, json(200, String.format(msg, cached)), json(200, String.format(msg, fetched)),
        json(200, String.format(msg, full)), json(200, String.format(msg, nulls)));

    Message.Usage u = c.messages().create(HI).usage();
    assertThat(u.cacheCreation()).contains(new Message.Usage.CacheCreation(456, 100));
    assertThat(u.serverToolUse()).isEmpty();
    assertThat(u.serviceTier()).isEmpty();
    assertThat(u.totalInputTokens()).isEqualTo(2048 + 1800 + 248);

    u = c.messages().create(HI).usage();
    assertThat(u.serverToolUse()).as("web_search_requests absent counts 0")
        .contains(new Message.Usage.ServerToolUse(0, 1));
    assertThat(u.cacheCreation()).isEmpty();

    assertThat(c.messages().create(HI).usage()).isEqualTo(new Message.Usage(2095, 503, 2051, 2051,
        Optional.of(new Message.Usage.CacheCreation(0, 0)), Optional.of(new Message.Usage.ServerToolUse(0, 2)),
        Optional.of("priority")));
    assertThat(c.messages().create(HI).usage()).as("null is empty").isEqualTo(new Message.Usage(12, 6, 0, 0));

    // The streaming guide's web search stream: message_start's usage, then message_delta's cumulative one.
    String stream = event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01G...\","
        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-opus-4-8\",\"content\":[],"
        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":2679,"
        + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":3}}}")
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"I'll check\"}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
        + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
            + "\"usage\":{\"input_tokens\":10682,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
            + "\"output_tokens\":510,\"server_tool_use\":{\"web_search_requests\":1}}}")
        + event("message_stop", "{\"type\":\"message_stop\"}");
    // A stream that starts with the whole usage object keeps its cache breakdown and tier past a delta without them.
    String startFull = event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_02\","
        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],"
        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":40,\"cache_creation_input_tokens\":556,"
        + "\"cache_read_input_tokens\":0,\"cache_creation\":{\"ephemeral_5m_input_tokens\":456,"
        + "\"ephemeral_1h_input_tokens\":100},\"output_tokens\":1,\"service_tier\":\"standard\"}}}")
        + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
            + "\"usage\":{\"output_tokens\":25,\"server_tool_use\":null}}")
        + event("message_stop", "{\"type\":\"message_stop\"}");
    FanoutClient s = client("usage-stream", 1, sse(stream), sse(startFull));

    assertThat(s.messages().stream(HI, new MessageStreamListener() {}).usage()).isEqualTo(new Message.Usage(10682, 510,
        0, 0, Optional.empty(), Optional.of(new Message.Usage.ServerToolUse(1, 0)), Optional.empty()));
    assertThat(s.messages().stream(HI, new MessageStreamListener() {}).usage()).isEqualTo(new Message.Usage(40, 25,
        556, 0, Optional.of(new Message.Usage.CacheCreation(456, 100)), Optional.empty(), Optional.of("standard")));
  }

  // --- streaming ---

  private static final String START = event("message_start", "{\"type\":\"message_start\",\"message\":"
      + "{\"id\":\"msg_014p7gG3wDgGV9EUtLvnow3U\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
      + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,"
      + "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":2,\"service_tier\":\"standard\"}}}");

  @Test
  void aStreamAssemblesThinkingCitationsAndServerToolsAndIgnoresWhatItDoesNotKnow() throws Exception {
    String stream = START
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"I should \"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"search.\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM1gbcDa9G\"}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
        + event("ping", "{\"type\": \"ping\"}")
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_014hJH82Qum7Td6UV8gDXThB\",\"name\":\"web_search\",\"input\":{}}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"query\\\": \\\"weather \"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"paris\\\"}\"}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_014hJH82Qum7Td6UV8gDXThB\",\"content\":[{\"type\":\"web_search_result\",\"title\":\"Weather\",\"url\":\"https://example.com\",\"encrypted_content\":\"Eq\",\"page_age\":null}]}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":2}")
        + event("a_new_event", "{\"type\":\"a_new_event\",\"index\":2}")
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"citations\":null,\"type\":\"text\",\"text\":\"\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"web_search_result_location\",\"cited_text\":\"sunny\",\"url\":\"https://example.com\",\"title\":\"Weather\",\"encrypted_index\":\"Eo8B\"}}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"It is sunny\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"char_location\",\"cited_text\":\"warm\",\"document_index\":0,\"document_title\":null,\"start_char_index\":0,\"end_char_index\":4}}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"a_new_delta\",\"x\":1}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\".\"}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":3}")
        + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
            + "\"usage\":{\"input_tokens\":472,\"cache_creation_input_tokens\":null,\"cache_read_input_tokens\":64,"
            + "\"output_tokens\":89,\"server_tool_use\":{\"web_search_requests\":1}}}")
        + event("message_stop", "{\"type\":\"message_stop\"}");
    FanoutClient c = client("stream", 1, sse(stream));
    RecordingListener listener = new RecordingListener();
    Message m = c.messages().stream(HI, listener);

    assertThat(tree(requests("stream").get(0).getBody().utf8()).get("stream").asBoolean()).isTrue();
    assertThat(listener.seen).containsExactly("thinking 0 I should ", "thinking 0 search.", "stop 0 thinking",
        "json 1 {\"query\": \"weather ", "json 1 paris\"}", "stop 1 server_tool_use", "stop 2 web_search_tool_result",
        "cite 3 sunny", "text 3 It is sunny", "cite 3 warm", "text 3 .", "stop 3 text", "reason END_TURN");
    assertThat(((ContentBlock.Text) m.content().get(3)).citations()).hasSize(2);
    JsonNode raw = m.raw();
    assertThat(raw.at("/content/0")).isEqualTo(
        tree("{\"type\":\"thinking\",\"thinking\":\"I should search.\",\"signature\":\"EqQBCgIYAhIM1gbcDa9G\"}"));
    assertThat(raw.at("/content/1/input")).isEqualTo(tree("{\"query\":\"weather paris\"}"));
    assertThat(raw.at("/content/2/content/0/title").asText()).isEqualTo("Weather");
    assertThat(raw.at("/content/3/text").asText()).isEqualTo("It is sunny.");
    assertThat(raw.at("/content/3/citations")).as("citations_delta pieces, in order").hasSize(2);
    assertThat(raw.at("/content/3/citations/0/cited_text").asText()).isEqualTo("sunny");
    assertThat(raw.at("/content/3/citations/1/type").asText()).isEqualTo("char_location");
    assertThat(m.text()).isEqualTo("It is sunny.");
    assertThat(m.stopReason()).isEqualTo(StopReason.END_TURN);
    assertThat(m.usage()).as("message_delta's usage is cumulative; a null keeps message_start's")
        .isEqualTo(new Message.Usage(472, 89, 0, 64, Optional.empty(),
            Optional.of(new Message.Usage.ServerToolUse(1, 0)), Optional.of("standard")));
  }

  private static String overloadedEvent() {
    return event("error", "{\"type\":\"error\",\"error\":{\"details\":null,\"type\":\"overloaded_error\","
        + "\"message\":\"Overloaded\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}");
  }

  private static String hello() {
    return START
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}")
        + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
        + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":5}}")
        + event("message_stop", "{\"type\":\"message_stop\"}");
  }

  @Test
  void anOverloadedErrorEventBeforeAnythingWasDeliveredIsRetriedLikeA529() {
    FanoutClient c = client("overloaded-early", 3, sse(START + overloadedEvent()), sse(hello()));
    List<String> texts = new CopyOnWriteArrayList<>();
    Message m = c.messages().stream(HI, texts::add);
    assertThat(m.text()).isEqualTo("Hello");
    assertThat(texts).containsExactly("Hello");
    assertThat(requests("overloaded-early")).hasSize(2);
  }

  @Test
  void anErrorEventAfterTextWasDeliveredIsFinalAndTyped() {
    String cut = START
        + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
        + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}")
        + overloadedEvent();
    FanoutClient c = client("overloaded-late", 3, sse(cut), sse(hello()));
    List<String> texts = new CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> c.messages().stream(HI, texts::add))
        .isInstanceOfSatisfying(OverloadedException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(529);
          assertThat(e.getMessage()).contains("overloaded_error", "Overloaded");
          assertThat(e.errorType()).contains("overloaded_error");
          assertThat(e.requestId()).contains("req_stream");
        });
    assertThat(texts).containsExactly("Hel");
    assertThat(requests("overloaded-late")).hasSize(1);
  }

  @Test
  void anErrorEventIsRetriedOnlyWhenItsStatusWouldBe() {
    Object[][] cases = {
      {"invalid_request_error", 400, BadRequestException.class, 1},
      {"billing_error", 402, ServiceException.class, 1},
      {"permission_error", 403, ServiceException.class, 1},
      {"timeout_error", 504, ServerException.class, 2},
      {"api_error", 500, ServerException.class, 2},
    };
    for (Object[] k : cases) {
      String name = "event-" + k[0];
      String bad = START + event("error",
          "{\"type\":\"error\",\"error\":{\"type\":\"" + k[0] + "\",\"message\":\"it failed\"}}");
      FanoutClient c = client(name, 2, sse(bad), sse(bad));
      assertThatThrownBy(() -> c.messages().stream(HI, t -> { }))
          .as((String) k[0])
          .isExactlyInstanceOf((Class<?>) k[2])
          .isInstanceOfSatisfying(ServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(k[1]);
            assertThat(e.errorType()).contains((String) k[0]);
          });
      assertThat(requests(name)).as((String) k[0]).hasSize((int) k[3]);
    }
  }

  // --- errors ---

  private static String error(String type, String message) {
    return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"},"
        + "\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
  }

  @Test
  void eachErrorStatusMapsToItsTypeWithStatusErrorTypeAndRequestId() {
    Object[][] cases = {
      {400, "invalid_request_error", BadRequestException.class},
      {401, "authentication_error", UnauthorizedException.class},
      {403, "permission_error", ServiceException.class},
      {404, "not_found_error", NotFoundException.class},
      {413, "request_too_large", ServiceException.class},
      {429, "rate_limit_error", RateLimitedException.class},
      {500, "api_error", ServerException.class},
      {529, "overloaded_error", OverloadedException.class},
    };
    for (Object[] k : cases) {
      int status = (int) k[0];
      FanoutClient c = client("status-" + status, 1,
          json(status, error((String) k[1], "it went wrong with " + KEY)).newBuilder().setHeader("retry-after", "12").build());
      assertThatThrownBy(() -> c.messages().create(HI))
          .as("HTTP %d", status)
          .isExactlyInstanceOf((Class<?>) k[2])
          .isInstanceOfSatisfying(ServiceException.class, e -> {
            assertThat(e.statusCode()).isEqualTo(status);
            assertThat(e.getMessage()).startsWith("HTTP " + status).contains((String) k[1]).doesNotContain(KEY);
            assertThat(e.errorType()).contains((String) k[1]);
            assertThat(e.requestId()).contains("req_011CSHoEeqs5C35K2UUqR7Fy");
            assertThat(e.body()).contains("\"type\":\"" + k[1] + "\"").doesNotContain(KEY);
            assertThat(e.toString()).doesNotContain(KEY);
          });
    }
  }

  @Test
  void a529IsRetriedAndXShouldRetryDecidesOverTheStatus() {
    FanoutClient c = client("retry-529", 3, json(529, error("overloaded_error", "Overloaded")),
        json(200, "{\"id\":\"msg_r\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":0}}"));
    assertThat(c.messages().create(HI).id()).isEqualTo("msg_r");
    assertThat(requests("retry-529")).hasSize(2);

    FanoutClient no = client("no-retry", 3,
        json(529, error("overloaded_error", "Overloaded")).newBuilder().setHeader("x-should-retry", "false").build(),
        json(529, error("overloaded_error", "Overloaded")));
    assertThatThrownBy(() -> no.messages().create(HI)).isInstanceOf(OverloadedException.class);
    assertThat(requests("no-retry")).hasSize(1);

    FanoutClient yes = client("yes-retry", 2,
        json(409, error("invalid_request_error", "conflict")).newBuilder().setHeader("x-should-retry", "true").build(),
        json(400, error("invalid_request_error", "still bad")));
    assertThatThrownBy(() -> yes.messages().create(HI)).isInstanceOf(BadRequestException.class)
        .hasMessageContaining("still bad");
    assertThat(requests("yes-retry")).hasSize(2);
  }

  @Test
  void theSpendCap429IsNotRetriedButARateLimit429Is() {
    String spendCap = "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"You have reached your "
        + "tier's spend cap.\",\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}},\"request_id\":\"req_cap\"}";
    FanoutClient capped = client("spend-cap", 3, json(429, spendCap), json(429, spendCap), json(429, spendCap));
    assertThatThrownBy(() -> capped.messages().create(HI))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.retryAfter()).isNull();
          assertThat(e.attempts()).isEqualTo(1);
        });
    assertThat(requests("spend-cap")).hasSize(1);

    FanoutClient limited = client("rate-limit", 2,
        json(429, error("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")),
        json(200, "{\"id\":\"msg_ok\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],"
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"output_tokens\":0}}"));
    assertThat(limited.messages().create(HI).id()).isEqualTo("msg_ok");
    assertThat(requests("rate-limit")).hasSize(2);
  }

  @Test
  void aNonJsonErrorBodyGivesAPlainMessage() {
    FanoutClient c = client("html", 1, new MockResponse.Builder().code(502).setHeader("Content-Type", "text/html")
        .body("<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>").build());
    assertThatThrownBy(() -> c.messages().create(HI))
        .isInstanceOfSatisfying(ServerException.class, e -> {
          assertThat(e.getMessage())
              .startsWith("HTTP 502 Bad Gateway (POST /html/v1/messages): <html><head><title>502 Bad Gateway");
          assertThat(e.errorType()).isEmpty();
        });
  }

  @Test
  void aRateLimitedResponsesRetryAfterIsReadAsSeconds() {
    FanoutClient c = client("ratelimited", 1, json(429, error("rate_limit_error", "Number of request tokens has exceeded"))
        .newBuilder().setHeader("retry-after", "17")
        .setHeader("anthropic-ratelimit-requests-limit", "50")
        .setHeader("anthropic-ratelimit-requests-remaining", "0")
        .setHeader("anthropic-ratelimit-requests-reset", "2025-08-21T12:41:17Z").build());
    assertThatThrownBy(() -> c.messages().create(HI))
        .isInstanceOfSatisfying(RateLimitedException.class, e -> {
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(17));
          assertThat(e.getMessage()).contains("retry after 17000 ms");
        });
  }
}
