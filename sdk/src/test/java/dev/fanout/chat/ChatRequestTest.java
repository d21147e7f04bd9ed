package dev.fanout.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every chat builder and factory refuses a bad value and names it. */
@Timeout(10)
class ChatRequestTest {
  private static ChatRequest.Builder base() {
    return ChatRequest.builder().model("m").addUserMessage("hi");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        bad("model null", () -> ChatRequest.builder().model(null), "model == null"),
        bad("model missing", () -> ChatRequest.builder().addUserMessage("x").build(), "model == null"),
        bad("no messages", () -> ChatRequest.builder().model("m").build(), "messages is empty"),
        bad("n 0", () -> base().n(0), "n < 1: 0"),
        bad("n 129", () -> base().n(129), "n > 128: 129"),
        bad("temperature", () -> base().temperature(2.5), "temperature not in [0, 2]: 2.5"),
        bad("temperature NaN", () -> base().temperature(Double.NaN), "temperature not in [0, 2]: NaN"),
        bad("topP", () -> base().topP(1.1), "topP not in [0, 1]: 1.1"),
        bad("presencePenalty", () -> base().presencePenalty(-2.5), "presencePenalty not in [-2, 2]: -2.5"),
        bad("frequencyPenalty", () -> base().frequencyPenalty(3.0), "frequencyPenalty not in [-2, 2]: 3.0"),
        bad("maxTokens", () -> base().maxTokens(0), "maxTokens < 1: 0"),
        bad("maxCompletionTokens", () -> base().maxCompletionTokens(-1), "maxCompletionTokens < 1: -1"),
        bad("five stops", () -> base().stop("a", "b", "c", "d", "e"), "stop has 5 sequences, more than 4"),
        bad("empty stop", () -> base().stop("a", ""), "stop[1] is empty"),
        bad("blank user", () -> base().user(" "), "user is blank: \" \""),
        bad("duplicate tool", () -> base().addTool(ChatToolsTest.TIME).addTool(ChatToolsTest.TIME),
            "duplicate tool name: get_time"),
        bad("required without tools", () -> base().toolChoice(ToolChoice.required()).build(),
            "toolChoice required needs tools, but none were added"),
        bad("named function not a tool", () -> base().addTool(ChatToolsTest.TIME)
            .toolChoice(ToolChoice.function("get_weather")).build(),
            "toolChoice names function \"get_weather\", not among tools [get_time]"),
        bad("parallelToolCalls without tools", () -> base().parallelToolCalls(true).build(),
            "parallelToolCalls needs tools, but none were added"),
        bad("reserved extra", () -> base().putExtra("tools", List.of()), "extra field is set by a dedicated method: tools"),
        bad("stream_options extra", () -> base().putExtra("stream_options", "x"),
            "extra field is set by a dedicated method: stream_options"),
        bad("tool name", () -> Tool.function("get weather", null, JsonNodeFactory.instance.objectNode()),
            "function name must be 1-64 letters, digits, '_' or '-': \"get weather\""),
        bad("tool schema not an object", () -> Tool.function("f", null, JsonNodeFactory.instance.arrayNode()),
            "parameters is not a JSON Schema object: []"),
        bad("schema name", () -> ResponseFormat.jsonSchema("", JsonNodeFactory.instance.objectNode(), true),
            "schema name must be 1-64 letters, digits, '_' or '-': \"\""),
        bad("blank tool call id", () -> ChatMessage.tool(" ", "x"), "toolCallId is blank: \" \""),
        bad("assistant without calls", () -> ChatMessage.assistant(null, List.of()),
            "toolCalls is empty: use assistant(content) for a text answer"),
        bad("blank role", () -> ChatMessage.of("", "x"), "role is blank: \"\""),
        bad("blank function choice", () -> ToolChoice.function(""), "function name is blank: \"\""));
  }

  private static Arguments bad(String name, Supplier<?> action, String message) {
    return Arguments.of(name, action, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void refusesAndNamesTheBadValue(String name, Supplier<?> action, String message) {
    assertThatThrownBy(action::get).isInstanceOfAny(IllegalArgumentException.class, IllegalStateException.class,
        NullPointerException.class).hasMessage(message);
  }

  @Test
  void newBuilderCopiesEveryOption() {
    ChatRequest r = base().temperature(0.1).topP(0.2).n(3).maxTokens(4).maxCompletionTokens(5).stop("x").seed(6L)
        .user("u").presencePenalty(0.7).frequencyPenalty(0.8).addTool(ChatToolsTest.TIME)
        .toolChoice(ToolChoice.auto()).parallelToolCalls(false).responseFormat(ResponseFormat.jsonObject())
        .streamUsage(true).putExtra("logprobs", true).build();

    ChatRequest copy = r.newBuilder().build();

    assertThat(copy).usingRecursiveComparison().isEqualTo(r);
    assertThat(copy.newBuilder().n(null).build().n()).isNull();
    assertThat(r.toString()).contains("tools=[get_time]", "toolChoice=auto", "responseFormat=json_object", "streamUsage");
  }
}
