package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class MockProcessTest {
  private static final String CHAT =
      "{\"model\":\"gpt-4o-mini\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  @Test
  void countsWhatItReceivedAndWhatItRefusedUntilReset(@TempDir Path dir) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    // One request a minute: the bucket holds one, refilled after 60 s, so the second is refused; a reset refills it.
    try (MockProcess mock = MockProcess.start(java, ChildJvms.classpath(), Duration.ZERO, 1, 0,
        dir.resolve("server.log"))) {
      assertThat(mock.url()).startsWith("http://127.0.0.1:").endsWith("/");
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest chat = HttpRequest.newBuilder(URI.create(mock.url() + "v1/chat/completions"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(CHAT)).build();
      assertThat(http.send(chat, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
      assertThat(http.send(chat, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(429);

      assertThat(mock.counts("chat")).isEqualTo(new MockProcess.Counts(2, 1));
      mock.reset();
      assertThat(mock.counts("chat")).isEqualTo(new MockProcess.Counts(0, 0));
      assertThat(http.send(chat, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }
  }
}
