package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Result lines exactly as OpenAI's Batch guide shows its output and error files. */
@Timeout(10)
class JobResultTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String ANSWERED = "{\"id\": \"batch_req_123\", \"custom_id\": \"request-2\", \"response\": "
      + "{\"status_code\": 200, \"request_id\": \"req_123\", \"body\": {\"id\": \"chatcmpl-123\", \"object\": "
      + "\"chat.completion\", \"created\": 1711652795, \"model\": \"gpt-3.5-turbo-0125\", \"choices\": [{\"index\": 0, "
      + "\"message\": {\"role\": \"assistant\", \"content\": \"Hello.\"}, \"logprobs\": null, \"finish_reason\": "
      + "\"stop\"}], \"usage\": {\"prompt_tokens\": 22, \"completion_tokens\": 2, \"total_tokens\": 24}, "
      + "\"system_fingerprint\": \"fp_123\"}}, \"error\": null}";
  private static final String EXPIRED = "{\"id\": \"batch_req_123\", \"custom_id\": \"my-custom-id\", \"response\": "
      + "null, \"error\": {\"code\": \"batch_expired\", \"message\": \"This request could not be executed before the "
      + "completion window expired.\"}}";
  private static final String REJECTED = "{\"id\": \"batch_req_456\", \"custom_id\": \"request-1\", \"response\": "
      + "{\"status_code\": 400, \"request_id\": \"req_456\", \"body\": {\"error\": {\"message\": \"Invalid value for "
      + "'temperature'.\", \"type\": \"invalid_request_error\", \"param\": \"temperature\", \"code\": null}}}, "
      + "\"error\": null}";

  @Test
  void readsAnAnsweredLine() {
    JobResult r = JobResult.parse(ANSWERED);

    assertThat(r.id()).isEqualTo("batch_req_123");
    assertThat(r.customId()).isEqualTo("request-2");
    assertThat(r.ok()).isTrue();
    assertThat(r.response().orElseThrow().requestId()).isEqualTo("req_123");
    assertThat(r.response().orElseThrow().body().path("choices").get(0).path("message").path("content").asText())
        .isEqualTo("Hello.");
    assertThat(r.inputTokens()).hasValue(22);
    assertThat(r.outputTokens()).hasValue(2);
    assertThat(r.error()).isEmpty();
  }

  @Test
  void readsAnExpiredRequestOfTheErrorFile() {
    JobResult r = JobResult.parse(EXPIRED);

    assertThat(r.ok()).isFalse();
    assertThat(r.response()).isEmpty();
    assertThat(r.error().orElseThrow().code()).isEqualTo("batch_expired");
    assertThat(r.inputTokens()).isEmpty();
  }

  @Test
  void aRejectedRequestHasItsResponseAndNoError() {
    JobResult r = JobResult.parse(REJECTED);

    assertThat(r.ok()).isFalse();
    assertThat(r.response().orElseThrow().statusCode()).isEqualTo(400);
    assertThat(r.error()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {ANSWERED, EXPIRED, REJECTED})
  void writesTheLineBackAsOpenAiWroteIt(String line) throws Exception {
    assertThat(JSON.readTree(JobResult.parse(line).toJsonLine())).isEqualTo(JSON.readTree(line));
  }

  @Test
  void aLineWithoutACustomIdIsRefusedSayingSo() {
    assertThatThrownBy(() -> JobResult.parse("{\"id\": \"batch_req_1\", \"response\": null, \"error\": null}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no custom_id");
  }
}
