package dev.fanout.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.Routes;
import dev.fanout.samples.report.RunReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/** Runs every subcommand in-process through picocli at a short latency and checks its exit code and report. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SamplesCommandTest {
  private static final int LATENCY_MS = 100;

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  /** How many of the mode's calls the client started before the first of them ended. */
  private static long startedBeforeAnyEnded(RunReport.Mode mode) {
    long firstEnd = mode.calls().stream().mapToLong(RunReport.Call::endMillis).min().orElseThrow();
    return mode.calls().stream().filter(c -> c.startMillis() < firstEnd).count();
  }

  @Test
  void seedRunsThreeModesAndTheirWallTimesShrink() throws Exception {
    Path json = dir.resolve("seed.json");
    Path svg = dir.resolve("seed.svg");
    int exit = run("seed", "--latency", LATENCY_MS + "ms", "--report-json", json.toString(), "--timeline", svg.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport report = RunReport.read(json);
    assertThat(report.command()).isEqualTo("seed");
    assertThat(report.embedded()).isTrue();
    assertThat(report.latencyMillis()).isEqualTo(LATENCY_MS);
    assertThat(report.modes()).extracting(RunReport.Mode::name).containsExactly("sequential", "concurrent", "fan-out");
    for (RunReport.Mode mode : report.modes()) {
      assertThat(mode.calls()).hasSize(6).allMatch(RunReport.Call::ok);
      assertThat(mode.calls()).allMatch(c -> c.endMillis() - c.startMillis() >= LATENCY_MS);
      // Every lookup was a real request: the embedded server counted exactly six per mode.
      assertThat(mode.server().requests()).isEqualTo(6);
    }
    RunReport.Mode sequential = report.mode("sequential");
    RunReport.Mode concurrent = report.mode("concurrent");
    RunReport.Mode fanOut = report.mode("fan-out");
    // The shapes as the client made them: how many calls started before the first one ended (the server's
    // peak can be lower on a busy machine, where a late connection arrives after an early answer).
    assertThat(startedBeforeAnyEnded(sequential)).isEqualTo(1);
    assertThat(startedBeforeAnyEnded(concurrent)).isEqualTo(3);
    assertThat(startedBeforeAnyEnded(fanOut)).isEqualTo(6);
    assertThat(sequential.server().maxInFlight()).isEqualTo(1);
    assertThat(concurrent.server().maxInFlight()).isBetween(1, 3);
    assertThat(fanOut.server().maxInFlight()).isBetween(1, 6);
    // The walls are bounded from below only (a busy machine stretches them, never shortens them).
    assertThat(sequential.wallMillis()).isGreaterThanOrEqualTo(6L * LATENCY_MS);
    assertThat(concurrent.wallMillis()).isGreaterThanOrEqualTo(3L * LATENCY_MS);
    assertThat(fanOut.wallMillis()).isGreaterThanOrEqualTo(LATENCY_MS);

    // The concurrent mode prints the document's asyncio.gather interleaving, line for line.
    String text = out.toString();
    String concurrentBlock = text.substring(text.indexOf("━━ concurrent"), text.indexOf("━━ fan-out"));
    assertThat(concurrentBlock.lines().filter(l -> l.contains("searched")).toList()).containsExactly(
        "1st user is being searched out of 3 people...",
        "1st user is being searched out of 2 people...",
        "1st user is being searched out of 1 people...",
        "2nd user is being searched out of 3 people...",
        "2nd user is being searched out of 2 people...",
        "Total 1 people have been searched!",
        "3rd user is being searched out of 3 people...",
        "Total 2 people have been searched!",
        "Total 3 people have been searched!");
    assertThat(text).contains(" >>> total time taken for sequential process: ")
        .contains(" >>> total time taken for fan-out process: ");

    // The picture: one bar per call, one lane per chain and mode.
    Document doc = parse(svg);
    assertThat(elementsWithClass(doc, "rect", "bar")).hasSize(18);
    assertThat(elementsWithClass(doc, "g", "lane")).hasSize(9);
    assertThat(elementsWithClass(doc, "g", "mode")).hasSize(3);
  }

  @Test
  void baseUrlSendsEveryCallThereAndStartsNoEmbeddedServer() throws Exception {
    try (MockBackend backend = MockBackend.builder().latency(Latency.fixed(Duration.ofMillis(50))).start()) {
      Path json = dir.resolve("seed.json");
      int exit = run("seed", "--base-url", backend.url(), "--latency", "3s", "--report-json", json.toString());

      assertThat(exit).as(out + "\n" + err).isZero();
      RunReport report = RunReport.read(json);
      assertThat(report.embedded()).isFalse();
      assertThat(report.latencyMillis()).isNull();
      assertThat(report.baseUrl()).isEqualTo(backend.url());
      assertThat(report.modes()).allMatch(m -> m.server() == null);
      // One untimed warm-up lookup, then six per mode.
      assertThat(backend.stats().requests(Routes.USERS)).isEqualTo(1 + 18);
      // --latency 3s would have made this take > 18 s on an embedded server: it was ignored.
      assertThat(report.mode("sequential").wallMillis()).isLessThan(3000);
      assertThat(out.toString()).contains("Calling " + backend.url()).doesNotContain("Embedded mock server");
    }
  }

  @Test
  void usersSettlesEveryIdWithinTheBound() {
    Path json = dir.resolve("users.json");
    int exit = run("users", "--ids", "1-30,100,200-204", "--max-in-flight", "8", "--latency", "50ms",
        "--report-json", json.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport.Mode mode = RunReport.read(json).mode("settle");
    assertThat(mode.calls()).hasSize(36);
    assertThat(mode.ok()).isEqualTo(36);
    assertThat(mode.failed()).isZero();
    assertThat(mode.calls()).extracting(RunReport.Call::id).contains(1L, 30L, 100L, 204L);
    assertThat(mode.server().maxInFlight()).isBetween(2, 8);
    assertThat(mode.peakConcurrency()).isLessThanOrEqualTo(8);
    // 36 lookups of 50 ms, at most 8 at a time: at least 5 rounds (the server's peak above proves they overlap).
    assertThat(mode.wallMillis()).isGreaterThanOrEqualTo(5 * 50);
    assertThat(out.toString()).contains("36 ok, 0 failed");
  }

  @Test
  void usersExitsNonZeroWhenLookupsFail() {
    Faults faults = Faults.builder().errorRate(0.5).seed(7).build();
    try (MockBackend backend = MockBackend.builder().latency(Latency.fixed(Duration.ofMillis(20))).faults(faults).start()) {
      Path json = dir.resolve("users.json");
      int exit = run("users", "--base-url", backend.url(), "--ids", "1-20", "--retries", "0",
          "--report-json", json.toString());

      assertThat(exit).isEqualTo(1);
      RunReport.Mode mode = RunReport.read(json).mode("settle");
      assertThat(mode.calls()).hasSize(20);
      assertThat(mode.failed()).isPositive();
      assertThat(mode.ok() + mode.failed()).isEqualTo(20);
      assertThat(mode.calls()).filteredOn(c -> !c.ok()).allMatch(c -> c.outcome() == dev.fanout.Outcome.Kind.FAILED && "ServerException".equals(c.error()));
      assertThat(mode.calls()).allMatch(c -> c.attempts() == 1);
      assertThat(backend.stats().requests(Routes.USERS)).isEqualTo(20);
      assertThat(out.toString()).contains("× ServerException");
    }
  }

  @Test
  void usersSequentialRunsOneAtATime() {
    Path json = dir.resolve("users.json");
    int exit = run("users", "--mode", "sequential", "--ids", "1-5", "--latency", "20ms", "--report-json", json.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport.Mode mode = RunReport.read(json).mode("sequential");
    assertThat(mode.server().maxInFlight()).isEqualTo(1);
    assertThat(mode.peakConcurrency()).isEqualTo(1);
    assertThat(mode.wallMillis()).isGreaterThanOrEqualTo(5 * 20);
  }

  @Test
  void ragStartsProfileEmbeddingAndRetrieversTogetherEachRetrieverEmbedsItsPassagesThenAsksOnce() {
    Path json = dir.resolve("rag.json");
    int exit = run("rag", "--latency", LATENCY_MS + "ms", "--jitter", "0", "-k", "3", "--deadline", "10s",
        "--report-json", json.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport.Mode mode = RunReport.read(json).mode("rag");
    assertThat(mode.calls()).extracting(RunReport.Call::lane).containsExactlyInAnyOrder("embed question", "profile",
        "search docs", "search faq", "search tickets", "embed docs", "embed faq", "embed tickets", "chat completion");
    assertThat(mode.calls()).allMatch(RunReport.Call::ok);
    // K searches, K passage embeddings, the profile, the question's embedding and one chat call.
    assertThat(mode.server().requests()).isEqualTo(9);
    // Each retriever embeds its passages once its search has returned; the answer waits for every embedding
    // (ranking is local) and for the question's.
    for (String index : List.of("docs", "faq", "tickets")) {
      assertThat(startOf(mode, "embed " + index)).isGreaterThanOrEqualTo(endOf(mode, "search " + index));
    }
    long gathered = endOf(mode, "embed question", "profile", "embed docs", "embed faq", "embed tickets");
    assertThat(startOf(mode, "chat completion")).isGreaterThanOrEqualTo(gathered);
    assertThat(mode.wallMillis()).isGreaterThanOrEqualTo(3L * LATENCY_MS);
    assertThat(out.toString()).contains("3 of 3 retrievers in time", "ranked 9 passages", "kept 5", "Answer")
        .doesNotContain("late (");
  }

  @Test
  void ragWarmUpAsksOnceUnmeasuredAndReportsOnlyTheMeasuredRun() {
    Path json = dir.resolve("rag-warm.json");
    int exit = run("rag", "--latency", "20ms", "--jitter", "0", "-k", "2", "--deadline", "10s", "--warm-up",
        "--report-json", json.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport.Mode mode = RunReport.read(json).mode("rag");
    assertThat(mode.calls()).hasSize(7); // 2 searches, 2 passage embeddings, profile, question embedding, chat
    assertThat(mode.server().requests()).as("the warm-up's requests are not counted").isEqualTo(7);
    assertThat(out.toString()).contains("Warm-up: asked once, unmeasured.").containsOnlyOnce("Answer");
  }

  @Test
  void ragLeavesOutTheRetrieversLateForTheDeadlineAndSaysWhich() throws Exception {
    Path json = dir.resolve("rag-late.json");
    // Searches take 30 s on this server, everything else 20 ms; the deadline is 1 s.
    Latency latency = Latency.builder().delay(Duration.ofMillis(20))
        .route(Routes.SEARCH, Latency.fixed(Duration.ofSeconds(30))).build();
    try (MockBackend backend = MockBackend.builder().latency(latency).start()) {
      int exit = run("rag", "--base-url", backend.url(), "-k", "3", "--deadline", "1s",
          "--report-json", json.toString());

      assertThat(exit).as(out + "\n" + err).isZero();
      RunReport.Mode mode = RunReport.read(json).mode("rag");
      assertThat(mode.calls()).filteredOn(c -> c.lane().startsWith("search ")).hasSize(3)
          .allMatch(c -> c.outcome() == dev.fanout.Outcome.Kind.TIMED_OUT);
      assertThat(mode.calls()).filteredOn(c -> !c.lane().startsWith("search ")).allMatch(RunReport.Call::ok);
      assertThat(mode.calls()).extracting(RunReport.Call::lane)
          .doesNotContain("embed docs", "embed faq", "embed tickets").contains("embed question", "chat completion");
      assertThat(backend.stats().requests(Routes.EMBEDDINGS))
          .as("the question's embedding only: no retriever returned passages to embed").isEqualTo(1);
      assertThat(out.toString()).contains("0 of 3 retrievers in time",
          "late (cancelled at the deadline, left out): docs, faq, tickets",
          "the model answers without any");
    }
  }

  @Test
  void ragLeavesOutARetrieverWhosePassageEmbeddingIsLateForTheDeadline() throws Exception {
    Path json = dir.resolve("rag-late-embedding.json");
    // Every call answers at once but the embedding of the tickets retriever's passages, which takes 30 s;
    // the deadline is 3 s. Responses are chosen by what the request asks for, never by arrival order.
    Dispatcher dispatcher = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        if (path.equals("/users/42")) {
          return json("{\"id\":42,\"name\":\"Ada\",\"email\":\"ada@example.com\"}");
        }
        if (path.equals("/search")) {
          String index = request.getUrl().queryParameter("q").split(":")[0];
          return json("{\"documents\":[{\"text\":\"passage from " + index + "\"}]}");
        }
        if (path.endsWith("/embeddings")) {
          MockResponse.Builder response = new MockResponse.Builder().code(200)
              .setHeader("Content-Type", "application/json")
              .body("{\"object\":\"list\",\"model\":\"m\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                  + "\"embedding\":[0.6,0.8]}],\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}");
          if (body.contains("passage from tickets")) {
            response.headersDelay(30, TimeUnit.SECONDS);
          }
          return response.build();
        }
        if (path.endsWith("/chat/completions")) {
          return json("{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"m\",\"choices\":[{"
              + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
              + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}");
        }
        return new MockResponse.Builder().code(404).build();
      }

      private MockResponse json(String body) {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build();
      }
    };
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(dispatcher);
      server.start();
      int exit = run("rag", "--base-url", server.url("/").toString(), "-k", "3", "--deadline", "3s",
          "--report-json", json.toString());

      assertThat(exit).as(out + "\n" + err).isZero();
      RunReport.Mode mode = RunReport.read(json).mode("rag");
      assertThat(mode.calls()).filteredOn(c -> c.lane().equals("search tickets")).singleElement()
          .matches(RunReport.Call::ok);
      assertThat(mode.calls()).filteredOn(c -> c.lane().equals("embed tickets")).singleElement()
          .matches(c -> c.outcome() == dev.fanout.Outcome.Kind.TIMED_OUT);
      assertThat(mode.calls()).filteredOn(c -> !c.lane().equals("embed tickets")).allMatch(RunReport.Call::ok);
      assertThat(out.toString()).contains("2 of 3 retrievers in time: docs, faq",
          "late (cancelled at the deadline, left out): tickets", "ranked 2 passages")
          .doesNotContain("passage from tickets");
    }
  }

  private static long endOf(RunReport.Mode mode, String... lanes) {
    return mode.calls().stream().filter(c -> List.of(lanes).contains(c.lane()))
        .mapToLong(RunReport.Call::endMillis).max().orElseThrow();
  }

  private static long startOf(RunReport.Mode mode, String... lanes) {
    return mode.calls().stream().filter(c -> List.of(lanes).contains(c.lane()))
        .mapToLong(RunReport.Call::startMillis).min().orElseThrow();
  }

  @ParameterizedTest
  @ValueSource(strings = {"openai", "anthropic"})
  void agentsRunTheLeadsToolsAtOnceAndTheSameCallsOneAfterAnother(String provider) throws Exception {
    Path json = dir.resolve("agents.json");
    Path html = dir.resolve("agents.html");
    long latency = 200;
    int exit = run("agents", "--provider", provider, "--latency", latency + "ms", "--agents", "3",
        "--report-json", json.toString(), "--timeline", html.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    RunReport report = RunReport.read(json);
    assertThat(report.modes()).extracting(RunReport.Mode::name).containsExactly("sequential", "parallel");
    for (RunReport.Mode mode : report.modes()) {
      // The lead: 2 model calls and 2 lookups; each sub-agent: 2 model calls and 2 searches. Every HTTP
      // call of the run is in the report once, and reached the server once.
      assertThat(mode.calls()).hasSize(16).allMatch(RunReport.Call::ok);
      assertThat(mode.server().requests()).isEqualTo(16);
      for (String lane : List.of("lead", "researcher", "critic", "planner")) {
        assertThat(mode.calls()).filteredOn(c -> c.lane().equals(lane)).hasSize(4);
      }
      assertThat(mode.calls()).extracting(RunReport.Call::label)
          .contains("lead step 1", "lead step 2", "researcher step 1", "researcher: search the papers");
    }
    RunReport.Mode sequential = report.mode("sequential");
    RunReport.Mode parallel = report.mode("parallel");
    assertThat(sequential.server().maxInFlight()).isEqualTo(1);
    assertThat(parallel.server().maxInFlight()).as("the lead's tool calls overlap at the server").isGreaterThan(1);
    assertThat(sequential.wallMillis()).isGreaterThanOrEqualTo(16 * latency);
    // The critical path: lead, then a sub-agent's model call, search and model call, then the lead again.
    assertThat(parallel.wallMillis()).isGreaterThanOrEqualTo(5 * latency)
        .isLessThan((long) (0.75 * sequential.wallMillis()));
    // The lead's model calls come before and after all of its step's tool calls.
    RunReport.Call step2 = parallel.calls().stream().filter(c -> c.label().equals("lead step 2")).findFirst().orElseThrow();
    assertThat(parallel.calls()).filteredOn(c -> c != step2).allMatch(c -> c.endMillis() <= step2.startMillis());
    assertThat(out.toString()).contains("lead step 1: 5 tool calls", "sub-agent: 2 model calls, 2 searches",
        "× faster", "Answer");
    assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<svg").contains("<table>");
  }

  @Test
  void theLeadsDeadlineReachesTheSubAgentsAndFailsTheRun() {
    Path json = dir.resolve("agents-late.json");
    // The lead's first model call takes 1 s, then every sub-agent needs three responses of 1 s in a row: a 1.5 s
    // deadline passes inside their first, with half a second of slack either side for a busy machine.
    int exit = run("agents", "--latency", "1s", "--agents", "2", "--timeout", "1500ms",
        "--report-json", json.toString());

    assertThat(exit).as(out + "\n" + err).isEqualTo(1);
    assertThat(out.toString()).contains("✕ sequential failed: dev.fanout.errors.FanoutTimeoutException: agent lead ran "
        + "past its deadline").contains("✕ parallel failed")
        .contains("not compared: the sequential and the parallel run failed").doesNotContain("× faster");
    RunReport.Mode parallel = RunReport.read(json).mode("parallel");
    // What ran at the deadline was cancelled or timed out (nothing else failed, nothing hangs), and the lead
    // never got to its answer.
    assertThat(parallel.calls()).filteredOn(c -> !c.ok()).isNotEmpty()
        .allMatch(c -> c.outcome() == dev.fanout.Outcome.Kind.CANCELLED || c.outcome() == dev.fanout.Outcome.Kind.TIMED_OUT);
    assertThat(parallel.calls()).noneMatch(c -> c.label().equals("lead step 2"));
  }

  @Test
  void anUnreachableBaseUrlIsOneLineAndExitOne() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    int exit = run("users", "--base-url", "http://127.0.0.1:" + port, "--ids", "1-3", "--retries", "0");

    assertThat(exit).isEqualTo(1);
    assertThat(out.toString()).contains("0 ok, 3 failed").contains("ConnectionSetupException")
        .contains("first: GET /users/").contains("127.0.0.1:" + port + " refused the connection");

    // seed cannot even warm up: one line on stderr, no stack trace.
    err.getBuffer().setLength(0);
    assertThat(run("seed", "--base-url", "http://127.0.0.1:" + port)).isEqualTo(1);
    assertThat(err.toString().lines().toList()).singleElement().asString()
        .startsWith("fanout-samples seed failed: ").contains("127.0.0.1:" + port);
  }

  @Test
  void theWireLogThatFanoutLogAsksForIsNotSilencedByTheSamplesLogLevel() {
    // FANOUT_LOG=headers logs each request at INFO on dev.fanout.wire; the samples log WARN and above otherwise.
    assertThat(org.slf4j.LoggerFactory.getLogger("dev.fanout.wire").isInfoEnabled()).isTrue();
    assertThat(org.slf4j.LoggerFactory.getLogger("dev.fanout").isInfoEnabled()).isFalse();
  }

  @Test
  void badFlagsPrintOneLineAndUsageAndExitTwo() {
    assertBad(new String[] {"seed", "--latency", "fast"}, "'fast' is not a duration");
    assertBad(new String[] {"users", "--ids", "10-5"}, "range '10-5' runs backwards");
    assertBad(new String[] {"users", "--ids", "1,x"}, "'x' in '1,x' is not an id");
    assertBad(new String[] {"users", "--max-in-flight", "0"}, "'--max-in-flight': 0 < 1");
    assertBad(new String[] {"users", "--mode", "fastest"}, "fastest");
    assertBad(new String[] {"seed", "--timeline", "out.png"}, "'out.png' must end in .svg or .html");
    assertBad(new String[] {"seed", "--base-url", "localhost:8080"}, "'localhost:8080' is not an http:// or https:// URL");
    assertBad(new String[] {"seed", "--no-such-flag"}, "--no-such-flag");
    assertBad(new String[] {"agents", "--agents", "9"}, "'--agents': 9");
    assertBad(new String[] {}, "Missing subcommand");
  }

  private void assertBad(String[] args, String message) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    int exit = run(args);
    assertThat(exit).as(String.join(" ", args)).isEqualTo(2);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines.get(0)).contains(message);
    assertThat(lines.get(1)).startsWith("Usage:");
  }

  static Document parse(Path svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(svg.toFile());
  }

  static List<Element> elementsWithClass(Document doc, String tag, String cls) {
    NodeList nodes = doc.getElementsByTagNameNS("*", tag);
    List<Element> result = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      if (List.of(e.getAttribute("class").split(" ")).contains(cls)) {
        result.add(e);
      }
    }
    return result;
  }
}
