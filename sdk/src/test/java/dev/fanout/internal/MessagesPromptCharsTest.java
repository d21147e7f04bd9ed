package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.messages.ContentBlock;
import dev.fanout.messages.MessageParam;
import dev.fanout.messages.MessageRequest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The governor's input estimate of a Messages API request counts every text the model reads. */
@Timeout(10)
class MessagesPromptCharsTest {
  @Test
  void countsTheSystemPromptTextToolResultsAndToolInputs() throws Exception {
    JsonNode input = Json.readTree("{\"city\":\"Paris\"}");
    MessageRequest request = MessageRequest.builder().model("claude-test").maxTokens(10)
        .system("0123456789")                                               // 10
        .addUserMessage("abcde")                                             // 5
        .addMessage(MessageParam.assistant(List.of(new ContentBlock.ToolUse("toolu_1", "get_weather", input))))
        .addMessage(MessageParam.user(List.of(ContentBlock.toolResult("toolu_1", "sunny and 20")))) // 12
        .build();
    JsonNode body = MessagesServiceImpl.body(request, false);
    assertThat(GovernorGate.promptChars(body)).isEqualTo(10 + 5 + input.toString().length() + 12);
  }
}
