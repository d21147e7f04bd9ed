package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MockServerMainTest {

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = MockServerMain.commandLine(new MockServerMain());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"--nope", "--port=abc", "--port=70000", "--latency=fast", "--latency=5",
      "--error-rate=2", "--jitter=gaussian:1ms", "--rate-limit=-1", "--stall-rate=0.7 --error-rate=0.7", "--engine=jetty"})
  void badFlagExits2WithOneLineErrorAndUsage(String args) {
    Run r = run(args.split(" "));
    assertThat(r.code()).isEqualTo(2);
    String[] lines = r.err().split("\\R");
    assertThat(lines[0]).startsWith("error: ");
    assertThat(lines[1]).startsWith("Usage: fanout-mock-server");
    assertThat(r.err()).doesNotContain("Exception", "\tat ");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void helpExits0() {
    Run r = run("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("--latency", "--jitter", "--seed", "--error-rate", "--rate-limit", "--http2", "--engine",
        "--idle-timeout", "Defaults to");
  }

  @Test
  void helpStatesEachDefaultAsTheServerAppliesItAndListsNoSupersededFlag() {
    String help = run("--help").out();
    assertThat(line(help, "--rate-limit-burst")).contains("Defaults to ceil(RPS).").doesNotContain("0.0");
    assertThat(line(help, "--rate-limit=")).contains("Defaults to 0 (unlimited).").doesNotContain("0.0");
    assertThat(help).doesNotContain("--chat-tokens-per-minute").contains("--tpm");
    // still accepted, for scripts written against it
    MockServerMain main = new MockServerMain();
    new CommandLine(main).parseArgs("--chat-tokens-per-minute", "100");
    assertThat(main.faultProfile().chatTokensPerMinute()).isEqualTo(100);
  }

  /** The help line that starts the given option's entry, with its wrapped continuation lines. */
  private static String line(String help, String option) {
    String[] lines = help.split("\\R");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].strip().startsWith(option)) {
        StringBuilder entry = new StringBuilder(lines[i]);
        for (int j = i + 1; j < lines.length && !lines[j].strip().startsWith("-"); j++) entry.append(' ').append(lines[j].strip());
        return entry.toString();
      }
    }
    throw new AssertionError("no " + option + " in help:\n" + help);
  }

  @Test
  void meteringAndTailFlagsBuildTheProfiles() {
    MockServerMain main = new MockServerMain();
    new CommandLine(main).parseArgs("--rpm", "6000", "--tpm", "150000", "--meter-depth", "2s",
        "--max-tokens-estimate", "64", "--tail", "0.03:3s", "--latency", "100ms", "--seed", "7");
    Faults f = main.faultProfile();
    assertThat(f.requestsPerMinute()).isEqualTo(6000);
    assertThat(f.tokensPerMinute()).isEqualTo(150_000);
    assertThat(f.meterDepth()).isEqualTo(java.time.Duration.ofSeconds(2));
    assertThat(f.maxTokensEstimate()).isEqualTo(64);
    Latency l = main.latencyProfile();
    assertThat(l.tailShare()).isEqualTo(0.03);
    assertThat(l.tailDelay()).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(l.delay()).isEqualTo(java.time.Duration.ofMillis(100));
    MockServerMain defaults = new MockServerMain();
    new CommandLine(defaults).parseArgs();
    assertThat(defaults.faultProfile().isMetered()).isFalse();
    assertThat(defaults.faultProfile().meterDepth()).isEqualTo(Faults.DEFAULT_METER_DEPTH);
    assertThat(defaults.latencyProfile().tailShare()).isZero();
    assertThat(run("--help").out()).contains("--rpm", "--tpm", "--meter-depth", "--tail", "/v1/embeddings",
        "/v1/messages", "/v1/batches");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void portInUseExits1WithoutStackTrace(Engine engine) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Run r = run("--engine", engine.id(), "--port", Integer.toString(taken.getLocalPort()));
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).startsWith("error: cannot bind 127.0.0.1:" + taken.getLocalPort()).doesNotContain("\tat ");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void standaloneProcessPrintsListeningFirstAndStopsOnSigterm(Engine engine) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.fanout.mock.MockServerMain", "--port", "0", "--latency", "0", "--engine", engine.id()))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    OkHttpClient client = Http.client(4);
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      assertThat(first).matches("Listening on http://127\\.0\\.0\\.1:\\d+");
      String url = first.substring("Listening on ".length());
      assertThat(Http.get(client, url + "/users/7").json().get("id").asInt()).isEqualTo(7);
      p.destroy(); // SIGTERM: the shutdown hook closes the server
      assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
    } finally {
      Http.shutdown(client);
      p.destroyForcibly();
    }
  }
}
