package dev.fanout.bench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The results check reads each client's format and finds duplicated, missing and unreadable lines. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ResultsCheckTest {
  @TempDir
  Path dir;

  @Test
  void batchOutputCountsOkFailedAndEachOnce() throws Exception {
    Path f = dir.resolve("fanout.jsonl");
    Files.writeString(f, """
        {"id":"b1","custom_id":"request-0","response":{"status_code":200,"body":{}},"error":null}
        {"id":"b2","custom_id":"request-1","response":{"status_code":429,"body":{}},"error":null}
        {"id":"b3","custom_id":"request-2","response":null,"error":{"code":"x","message":"y"}}
        """);
    ResultsCheck.Counts c = ResultsCheck.check(f, ResultsCheck.Format.BATCH_OUTPUT, 3);
    assertThat(c).isEqualTo(new ResultsCheck.Counts(3, 1, 2, 0, 0, 0));
    assertThat(c.eachOnce()).isTrue();
  }

  @Test
  void cookbookLinesCarryTheIdInMetadataAndFailuresAsAListOfErrors() throws Exception {
    Path f = dir.resolve("cookbook.jsonl");
    Files.writeString(f, """
        [{"model":"m"},{"choices":[]},{"custom_id":"request-0"}]
        [{"model":"m"},["{'error': {'code': 'rate_limit_exceeded'}}"],{"custom_id":"request-1"}]
        [{"model":"m"},{"error":{"code":"rate_limit_exceeded"}},{"custom_id":"request-2"}]
        [{"model":"m"},{"choices":[]},{"custom_id":"request-0"}]
        """);
    ResultsCheck.Counts c = ResultsCheck.check(f, ResultsCheck.Format.COOKBOOK, 4);
    assertThat(c).isEqualTo(new ResultsCheck.Counts(4, 1, 2, 1, 1, 0));
    assertThat(c.eachOnce()).isFalse();
  }

  @Test
  void openaiPythonLinesAndUnreadableOnes() throws Exception {
    Path f = dir.resolve("openai.jsonl");
    Files.writeString(f, """
        {"custom_id":"request-0","response":{"choices":[]},"error":null}
        {"custom_id":"request-1","response":null,"error":"RateLimitError: Error code: 429"}
        {"custom_id":"request-2","response":{"cho
        """);
    ResultsCheck.Counts c = ResultsCheck.check(f, ResultsCheck.Format.OPENAI_PYTHON, 3);
    assertThat(c).isEqualTo(new ResultsCheck.Counts(3, 1, 1, 0, 1, 1));
    assertThat(ResultsCheck.check(dir.resolve("absent.jsonl"), ResultsCheck.Format.OPENAI_PYTHON, 2).missing()).isEqualTo(2);
  }

  @Test
  void clientNamesParseAndAnUnknownOneIsNamed() {
    assertThat(JobsClient.parse("openai-python")).isEqualTo(JobsClient.OPENAI_PYTHON);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobsClient.parse("langchain"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown client: 'langchain' (expected one of fanout-jobs, cookbook, openai-python)");
  }
}
