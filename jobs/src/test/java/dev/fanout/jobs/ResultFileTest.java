package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class ResultFileTest {
  @TempDir
  Path dir;

  static JobResult ok(String id) {
    return new JobResult("batch_req_1", id, Optional.of(new JobResult.Response(200, "req_1",
        JsonNodeFactory.instance.objectNode().put("é", "ü"))), Optional.empty());
  }

  static JobResult failed(String id) {
    return new JobResult("batch_req_2", id, Optional.empty(),
        Optional.of(new JobResult.Error("transport_error", "connection reset")));
  }

  @Test
  void writesWholeLinesInOpenAiBatchOutputFormat() throws IOException {
    Path p = dir.resolve("out.jsonl");
    try (ResultFile f = ResultFile.open(p)) {
      f.write(ok("a"));
      f.write(failed("b"));
    }

    List<String> lines = Files.readAllLines(p);
    assertThat(lines).containsExactly(
        "{\"id\":\"batch_req_1\",\"custom_id\":\"a\",\"response\":{\"status_code\":200,\"request_id\":\"req_1\","
            + "\"body\":{\"é\":\"ü\"}},\"error\":null}",
        "{\"id\":\"batch_req_2\",\"custom_id\":\"b\",\"response\":null,\"error\":{\"code\":\"transport_error\","
            + "\"message\":\"connection reset\"}}");
  }

  @Test
  void reopeningResumesAndCutsOffATornLastLine() throws IOException {
    Path p = dir.resolve("out.jsonl");
    String whole = ok("a").toJsonLine() + "\n" + failed("b").toJsonLine() + "\n";
    String torn = ok("c").toJsonLine();
    Files.write(p, (whole + torn.substring(0, torn.length() / 2)).getBytes(StandardCharsets.UTF_8));

    try (ResultFile f = ResultFile.open(p)) {
      assertThat(f.contains("a")).isTrue();
      assertThat(f.contains("b")).isTrue();
      assertThat(f.contains("c")).isFalse();
      assertThat(f.resumed()).isEqualTo(2);
      assertThat(f.resumedOk()).isEqualTo(1);
      assertThat(f.truncatedBytes()).isEqualTo(torn.length() / 2);
      f.write(ok("c"));
    }

    assertThat(Files.readString(p)).isEqualTo(whole + ok("c").toJsonLine() + "\n");
  }

  @Test
  void aCompleteLastLineWithoutItsLineBreakIsCutToo() throws IOException {
    Path p = dir.resolve("out.jsonl");
    String whole = ok("a").toJsonLine() + "\n";
    Files.writeString(p, whole + ok("b").toJsonLine());

    try (ResultFile f = ResultFile.open(p)) {
      assertThat(f.contains("b")).isFalse(); // its write was cut before the line break: send it again
    }

    assertThat(Files.readString(p)).isEqualTo(whole);
  }

  @Test
  void aFileThatIsNotAJobOutputIsLeftAlone() throws IOException {
    Path p = dir.resolve("notes.txt");
    String text = "shopping list\nmilk\n";
    Files.writeString(p, text);

    assertThatThrownBy(() -> ResultFile.open(p)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("notes.txt:1: not a result line");
    assertThat(Files.readString(p)).isEqualTo(text);
  }
}
