package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutOptions;
import dev.fanout.RetryPolicy;
import dev.fanout.messages.ContentBlock;
import dev.fanout.messages.MessageParam;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import dev.fanout.mock.Routes;
import dev.fanout.testing.FakeClock;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same tool loop on Anthropic's Messages API (the mock's {@code /v1/messages}), and agents of both
 * providers nested in one another. Concurrency is proved by a barrier that only opens when every tool call
 * has started.
 */
@Timeout(30)
class AnthropicAgentTest {
  @RegisterExtension
  static final MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.fixed(Duration.ofMillis(20)))
      .build();

  private final FakeClock clock = FakeClock.create();
  private FanoutClient client;

  @BeforeEach
  void setUp() {
    client = FanoutClient.builder().baseUrl(backend.url()).apiKey("sk-ant-test-key").clock(clock)
        .retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  private ToolHandler weatherOnceAllStarted(AgentTest.Barrier barrier) {
    return (call, context) -> barrier.arrive().thenCompose(v -> client.json().withContext(context).getAsync(
            "search?k=1&q=" + URLEncoder.encode(city(call), StandardCharsets.UTF_8), JsonNode.class))
        .thenApply(hits -> city(call) + ": " + hits.get("documents").get(0).get("text").asText());
  }

  private static String city(ToolCall call) {
    return call.argumentsJson().get("city").asText();
  }

  /** The agent's default options on the test's clock. */
  private FanoutOptions onTheClock() {
    return Agent.DEFAULT_OPTIONS.newBuilder().clock(clock).build();
  }

  @Test
  void runsTheTurnsToolUsesAtOnceOnAnthropicWithTheSameCallsAsOnOpenAi() {
    long messagesBefore = backend.stats().requests(Routes.MESSAGES);
    long chatBefore = backend.stats().requests(Routes.CHAT);
    long searchBefore = backend.stats().requests(Routes.SEARCH);
    Agent claude = Agent.builder().messages(client.messages()).model("claude-test").options(onTheClock())
        .messagesRequest(b -> b.maxTokens(512))
        .addTool(AgentTest.WEATHER, weatherOnceAllStarted(new AgentTest.Barrier(3)))
        .onToolFailure(OnToolFailure.FAIL_RUN)
        .build();

    AgentResult result = claude.run(AgentTest.THREE_CITIES);

    assertThat(result.steps()).isEqualTo(2);
    assertThat(result.toolRuns()).extracting(run -> city(run.call())).containsExactly("Paris", "Tokyo", "Lima");
    assertThat(result.toolRuns()).allSatisfy(run -> assertThat(run.call().id()).startsWith("toolu_"));
    assertThat(result.content()).startsWith("Based on the tool results")
        .contains("Paris: Passage 1", "Tokyo: Passage 1", "Lima: Passage 1");
    assertThat(result.completions().get(0).finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    assertThat(backend.stats().requests(Routes.MESSAGES) - messagesBefore).isEqualTo(2);
    assertThat(backend.stats().requests(Routes.SEARCH) - searchBefore).isEqualTo(3);

    Agent gpt = Agent.builder().chat(client.chat()).model("gpt-4o-mini").options(onTheClock())
        .addTool(AgentTest.WEATHER, weatherOnceAllStarted(new AgentTest.Barrier(3)))
        .onToolFailure(OnToolFailure.FAIL_RUN)
        .build();
    AgentResult openAi = gpt.run(AgentTest.THREE_CITIES);
    assertThat(backend.stats().requests(Routes.CHAT) - chatBefore).isEqualTo(result.steps()).isEqualTo(openAi.steps());
    assertThat(openAi.report().entries().get(0).calls()).hasSameSizeAs(result.report().entries().get(0).calls());
  }

  @Test
  void nestedAgentsMixProviders() {
    long messagesBefore = backend.stats().requests(Routes.MESSAGES);
    long chatBefore = backend.stats().requests(Routes.CHAT);
    Agent weather = Agent.builder().name("weather").chat(client.chat()).model("gpt-4o-mini").options(onTheClock())
        .addTool(AgentTest.WEATHER, (call, context) -> CompletableFuture.completedFuture(city(call) + " is sunny"))
        .build();
    Agent lead = Agent.builder().name("lead").messages(client.messages()).model("claude-test").options(onTheClock())
        .instructions("Delegate weather questions.")
        .addAgentTool("weather_agent", "Answers weather questions", weather)
        .build();

    AgentResult result = lead.run("Ask the weather agent about Paris");

    assertThat(result.steps()).isEqualTo(2);
    assertThat(result.toolRuns()).singleElement().satisfies(run -> {
      assertThat(run.call().name()).isEqualTo("weather_agent");
      assertThat(run.result()).contains("is sunny");
    });
    assertThat(backend.stats().requests(Routes.MESSAGES) - messagesBefore).isEqualTo(2);
    assertThat(backend.stats().requests(Routes.CHAT) - chatBefore).isEqualTo(2);
  }

  @Test
  void theConversationTranslatesIntoAnthropicsTurns() {
    StringBuilder system = new StringBuilder();
    List<MessageParam> turns = MessagesAgentModel.turns(List.of(
        ChatMessage.system("be brief"),
        ChatMessage.user("weather in Paris and Lima?"),
        ChatMessage.assistant("Checking.", List.of(ToolCall.function("toolu_1", "get_weather", "{\"city\":\"Paris\"}"),
            ToolCall.function("toolu_2", "get_weather", "not json"))),
        ChatMessage.tool("toolu_1", "sunny"),
        ChatMessage.tool("toolu_2", "rain"),
        ChatMessage.user("thanks")), system);
    assertThat(system.toString()).isEqualTo("be brief");
    assertThat(turns).extracting(MessageParam::role).containsExactly(
        MessageParam.Role.USER, MessageParam.Role.ASSISTANT, MessageParam.Role.USER);
    assertThat(turns.get(1).content()).hasSize(3).element(2).isInstanceOfSatisfying(ContentBlock.ToolUse.class,
        u -> assertThat(u.input().size()).as("arguments that are not an object become {}").isZero());
    assertThat(turns.get(2).content()).containsExactly(ContentBlock.toolResult("toolu_1", "sunny"),
        ContentBlock.toolResult("toolu_2", "rain"), ContentBlock.text("thanks"));
  }
}
