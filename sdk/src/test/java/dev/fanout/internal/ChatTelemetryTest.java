package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.messages.Message;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a completion tells telemetry and the rate-limit governor about its tokens, per provider. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatTelemetryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void openAisCachedPromptTokensAreCacheReadsThatStillCountAgainstTheInputLimit() throws Exception {
    // usage as OpenAI's prompt caching guide shows it: cached tokens are part of prompt_tokens
    ChatCompletion completion = ChatCompletion.fromJson(JSON.readTree("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
        + "\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":2006,\"completion_tokens\":300,\"total_tokens\":2306,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":1920},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}"));

    GenAiResponse r = ChatServiceImpl.telemetryOf(completion);

    assertThat(r.inputTokens()).isEqualTo(OptionalLong.of(2006)); // every input token, cached ones included
    assertThat(r.cacheReadInputTokens()).isEqualTo(OptionalLong.of(1920));
    assertThat(r.cacheCreationInputTokens()).isEmpty();
    assertThat(r.rateLimitedInputTokens()).isEqualTo(OptionalLong.of(2006));
    assertThat(r.finishReasons()).isEqualTo(List.of("stop"));
  }

  @Test
  void aCompletionWithoutCachedTokensSaysNothingOfTheCache() throws Exception {
    ChatCompletion completion = ChatCompletion.fromJson(JSON.readTree("{\"id\":\"chatcmpl-2\",\"model\":\"m\","
        + "\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,\"total_tokens\":12}}"));

    GenAiResponse r = ChatServiceImpl.telemetryOf(completion);

    assertThat(r.cacheReadInputTokens()).isEmpty();
    assertThat(r.rateLimitedInputTokens()).isEqualTo(OptionalLong.of(10));
  }

  @Test
  void anthropicsCacheReadsAreLeftOutOfTheInputLimit() throws Exception {
    Message message = Message.fromJson(JSON.readTree("{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"model\":\"claude-haiku-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\","
        + "\"usage\":{\"input_tokens\":100,\"output_tokens\":5,\"cache_creation_input_tokens\":25,"
        + "\"cache_read_input_tokens\":50}}"));

    GenAiResponse r = MessagesServiceImpl.telemetryOf(message);

    assertThat(r.inputTokens()).isEqualTo(OptionalLong.of(175));
    assertThat(r.cacheReadInputTokens()).isEqualTo(OptionalLong.of(50));
    assertThat(r.rateLimitedInputTokens()).isEqualTo(OptionalLong.of(125));
  }
}
