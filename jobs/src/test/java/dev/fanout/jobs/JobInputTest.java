package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(20)
class JobInputTest {
  static final String GOOD = "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
      + "\"body\":{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";

  @TempDir
  Path dir;

  private Path file(String... lines) throws IOException {
    Path p = dir.resolve("in.jsonl");
    Files.writeString(p, String.join("\n", lines) + "\n");
    return p;
  }

  @Test
  void aMissingFileIsNamedAsMissing() {
    Path missing = dir.resolve("requests.jsonl");
    assertThatThrownBy(() -> JobInput.of(missing).open())
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage("cannot read " + missing + ": no such file");
  }

  @Test
  void readsRequestsLazilyInOrderSkippingBlankLines() throws IOException {
    Path p = file(GOOD, "", GOOD.replace("\"a\"", "\"b\""),
        "{\"custom_id\":\"c\",\"method\":\"GET\",\"url\":\"/v1/models\"}");
    JobInput input = JobInput.of(p);

    assertThat(input.check()).isEqualTo(3);
    List<JobRequest> read = new ArrayList<>();
    try (JobInput.Requests r = input.open()) {
      r.forEachRemaining(read::add);
    }
    assertThat(read).extracting(JobRequest::customId).containsExactly("a", "b", "c");
    assertThat(read).extracting(JobRequest::line).containsExactly(1L, 3L, 4L);
    assertThat(read.get(0).body().get("model").asText()).isEqualTo("m");
    assertThat(read.get(2).body()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "not JSON|{\"custom_id\": \"x\", |in.jsonl:2: not JSON",
      "not an object|[1, 2]|in.jsonl:2: expected a JSON object",
      "missing custom_id|{\"method\":\"POST\",\"url\":\"/v1/x\",\"body\":{}}|in.jsonl:2: missing field \"custom_id\"",
      "missing body|{\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/x\"}|in.jsonl:2: missing field \"body\"",
      "missing url|{\"custom_id\":\"x\",\"method\":\"POST\",\"body\":{}}|in.jsonl:2: missing field \"url\"",
      "unknown method|{\"custom_id\":\"x\",\"method\":\"FETCH\",\"url\":\"/v1/x\",\"body\":{}}|in.jsonl:2: unknown method \"FETCH\"",
      "lower-case method|{\"custom_id\":\"x\",\"method\":\"post\",\"url\":\"/v1/x\",\"body\":{}}|in.jsonl:2: unknown method \"post\"",
      "absolute url|{\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"https://evil/v1\",\"body\":{}}|in.jsonl:2: url must be a path",
      "numeric custom_id|{\"custom_id\":7,\"method\":\"POST\",\"url\":\"/v1/x\",\"body\":{}}|in.jsonl:2: custom_id must be a string",
      "unknown field|{\"custom_id\":\"x\",\"method\":\"POST\",\"url\":\"/v1/x\",\"body\":{},\"extra\":1}|in.jsonl:2: unknown field \"extra\"",
      "duplicate custom_id|" + "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/x\",\"body\":{}}|in.jsonl:2: duplicate custom_id \"a\"",
  })
  void aBadLineIsNamedByNumber(String name, String bad, String message) throws IOException {
    Path p = file(GOOD, bad, GOOD.replace("\"a\"", "\"z\""));

    assertThatThrownBy(() -> JobInput.of(p).check())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((InvalidInputException) e).line()).isEqualTo(2));
  }

  @Test
  void aSinglePassSourceIsCheckedAsItIsReadAndOpensOnce() {
    JobInput input = JobInput.of("<stdin>", new StringReader(GOOD + "\n" + GOOD + "\n"));

    assertThat(input.checkable()).isFalse();
    assertThatThrownBy(input::check).isInstanceOf(IllegalStateException.class).hasMessageContaining("single-pass");
    JobInput.Requests requests = input.open();
    assertThat(requests.next().customId()).isEqualTo("a");
    assertThatThrownBy(requests::hasNext).isInstanceOf(InvalidInputException.class)
        .hasMessage("<stdin>:2: duplicate custom_id \"a\"");
    assertThatThrownBy(input::open).isInstanceOf(IllegalStateException.class).hasMessageContaining("read already");
  }
}
