package com.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The installed {@code fanout-mock-server:all} jar runs with {@code java -jar} and serves a lookup. */
@Timeout(60)
class StandaloneMockJarTest {
  @Test
  void theAllJarServesUsers() throws Exception {
    Path jar = Path.of(System.getProperty("fanout.mock.all.jar"));
    assertThat(jar).exists();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process server = new ProcessBuilder(java.toString(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
        "--port", "0", "--latency", "0")
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      assertThat(first).startsWith("Listening on http://");
      String url = first.substring("Listening on ".length()).trim();

      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url + "/users/7")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"id\":7");
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) server.destroyForcibly();
    }
  }
}
