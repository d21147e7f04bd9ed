package dev.fanout.mock.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.fanout.mock.Engine;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14, defect 3: with every file descriptor in use, {@code accept} fails with "Too many open files".
 * MockWebServer's own accept loop then ends for good, silently, and the process serves nothing again; the
 * mock's server socket backs off and retries instead (Netty's acceptor does the same by itself).
 *
 * <p>The standalone server runs in a forked JVM under {@code ulimit -n 256}; this test holds more
 * connections than that, waits until the server itself logs the failed accept, lets the connections go,
 * and then proves the same process accepts and answers again. No timing is asserted: each step waits
 * for an observable event (a log line, a response) under a generous deadline.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class DescriptorExhaustionTest {
  private static final int DESCRIPTOR_LIMIT = 256;
  private static final int HELD_CONNECTIONS = 2 * DESCRIPTOR_LIMIT;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Engine.class)
  void acceptsAgainAfterRunningOutOfFileDescriptors(Engine engine) throws Exception {
    assumeThat(new File("/bin/bash")).as("bash, for ulimit").exists();
    Path stderr = dir.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c",
        "ulimit -n " + DESCRIPTOR_LIMIT + " && exec \"$JAVA\" -Xss512k -cp \"$CP\" dev.fanout.mock.MockServerMain "
            + "--port 0 --latency 0 --engine " + engine.id())
        .redirectError(stderr.toFile());
    pb.environment().put("JAVA", System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    pb.environment().put("CP", System.getProperty("java.class.path"));
    Process server = pb.start();
    OkHttpClient client = new OkHttpClient.Builder().retryOnConnectionFailure(false)
        .callTimeout(Duration.ofSeconds(10)).build();
    List<Socket> held = new ArrayList<>();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      assertThat(first).as("stderr: %s", read(stderr)).startsWith("Listening on ");
      String url = first.substring("Listening on ".length());
      assertThat(get(client, url + "/users/1")).isEqualTo(200); // warm: the serving path's classes are loaded
      client.connectionPool().evictAll();

      // Hold more connections than the server has descriptors; the kernel completes them into the backlog
      // even when the server cannot accept them.
      URI u = URI.create(url);
      for (int i = 0; i < HELD_CONNECTIONS; i++) held.add(new Socket(u.getHost(), u.getPort()));
      awaitLog(stderr, log -> log.contains("Too many open files"), server);

      for (Socket s : held) s.close();
      held.clear();

      // The same process answers new connections again.
      assertThat(getWithin(client, url + "/users/2", server)).isEqualTo(200);
      assertThat(server.isAlive()).isTrue();
      String log = read(stderr);
      if (engine == Engine.MOCKWEBSERVER) {
        // Logged once per episode, not per failed accept: a WARN when it starts, an INFO when accepts succeed
        // again. (A descriptor freed for a moment can split the pressure into two episodes: seen once.)
        int episodes = count(log, "accept failed");
        assertThat(episodes).as("episodes:%n%s", log).isPositive();
        assertThat(count(log, "accepting connections again after")).as("each episode ends logged:%n%s", log)
            .isEqualTo(episodes);
      }
      assertThat(log).doesNotContain("NoClassDefFoundError");
    } finally {
      for (Socket s : held) s.close();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
      server.destroy();
      if (!server.waitFor(15, TimeUnit.SECONDS)) server.destroyForcibly();
    }
  }

  private static int get(OkHttpClient client, String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      r.body().string();
      return r.code();
    }
  }

  /** Retries a GET until it answers (the server may still be working through the closed backlog). */
  private static int getWithin(OkHttpClient client, String url, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    IOException last = null;
    while (System.nanoTime() < deadline && server.isAlive()) {
      try {
        return get(client, url);
      } catch (IOException e) {
        last = e;
        client.connectionPool().evictAll();
        Thread.sleep(100);
      }
    }
    throw new AssertionError("the server never answered again (alive: " + server.isAlive() + ")", last);
  }

  private static void awaitLog(Path stderr, Predicate<String> condition, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.test(read(stderr))) {
      if (System.nanoTime() > deadline || !server.isAlive()) {
        throw new AssertionError("the server never logged a failed accept; stderr:\n" + read(stderr));
      }
      Thread.sleep(20);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) n++;
    return n;
  }
}
