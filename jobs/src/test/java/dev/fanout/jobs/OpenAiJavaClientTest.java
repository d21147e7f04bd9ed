package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The official OpenAI Java client (openai-java) against the mock's Files and Batch APIs. */
@Timeout(60)
class OpenAiJavaClientTest {
  @TempDir
  Path dir;

  private final AtomicLong clock = new AtomicLong();
  private MockBackend server;
  private OpenAIClient client;

  @BeforeEach
  void setUp() {
    server = MockBackend.builder().latency(Latency.none()).recordedRequests(0)
        .faults(Faults.builder().meterClock(clock::get).build()).batchCompletionTime(Duration.ofSeconds(30)).start();
    client = OpenAIOkHttpClient.builder().baseUrl(server.openAiBaseUrl()).apiKey("sk-test").maxRetries(0).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  @Test
  void uploadsCreatesPollsAndDownloadsABatchWithTheOfficialClient() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      lines.add(JobTest.chatLine("q" + i));
    }
    Path input = dir.resolve("input.jsonl");
    Files.write(input, lines);

    FileObject file = client.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build())
        .validate();
    assertThat(file.purpose()).isEqualTo(FileObject.Purpose.BATCH);
    assertThat(file.bytes()).isEqualTo(Files.size(input));
    assertThat(file.filename()).isEqualTo("input.jsonl");

    Batch created = client.batches().create(BatchCreateParams.builder().inputFileId(file.id())
        .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
        .completionWindow(BatchCreateParams.CompletionWindow._24H).build()).validate();
    assertThat(created.status()).isEqualTo(Batch.Status.VALIDATING);
    assertThat(created.inputFileId()).isEqualTo(file.id());

    Batch running = client.batches().retrieve(created.id()).validate();
    assertThat(running.status()).isEqualTo(Batch.Status.IN_PROGRESS);
    assertThat(running.requestCounts().orElseThrow().total()).isEqualTo(20);

    clock.addAndGet(Duration.ofSeconds(30).toNanos());
    Batch done = client.batches().retrieve(created.id()).validate();
    assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
    assertThat(done.requestCounts().orElseThrow().completed()).isEqualTo(20);
    assertThat(done.errorFileId()).isEmpty();

    List<String> output;
    try (HttpResponse content = client.files().content(done.outputFileId().orElseThrow());
        BufferedReader r = new BufferedReader(new InputStreamReader(content.body(), StandardCharsets.UTF_8))) {
      output = r.lines().collect(Collectors.toList());
    }
    assertThat(output).hasSize(20);
    assertThat(output.stream().map(JobResult::parse).filter(JobResult::ok).map(JobResult::customId))
        .containsExactlyInAnyOrderElementsOf(lines.stream().map(l -> JobInputParse.customId(l)).toList());

    assertThat(client.batches().list().data()).extracting(Batch::id).contains(created.id());
  }

  @Test
  void cancelsABatchWithTheOfficialClient() throws Exception {
    Path input = dir.resolve("one.jsonl");
    Files.write(input, List.of(JobTest.chatLine("only")));
    FileObject file = client.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build());
    Batch created = client.batches().create(BatchCreateParams.builder().inputFileId(file.id())
        .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
        .completionWindow(BatchCreateParams.CompletionWindow._24H).build());

    Batch cancelling = client.batches().cancel(created.id()).validate();

    assertThat(cancelling.status()).isEqualTo(Batch.Status.CANCELLING);
    Batch cancelled = client.batches().retrieve(created.id()).validate();
    assertThat(cancelled.status()).isEqualTo(Batch.Status.CANCELLED);
    assertThat(cancelled.cancelledAt()).isPresent();
  }

  /** The custom_id of an input line. */
  private static final class JobInputParse {
    static String customId(String line) {
      return dev.fanout.jobs.internal.LineParser.parse("test", 1, line).customId();
    }
  }
}
