package dev.fanout.samples.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Fanout;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.FanoutFuture;
import dev.fanout.Outcome;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The samples' report and timeline tell queued from in flight (issue 14, defect 6): 20 lookups of 200 ms on a
 * client with {@code maxInFlight(4)}, recorded as a mode: peak 4 in flight as the server saw, a speed-up from
 * in-flight time (at most 4), and the 16 calls that waited for a slot drawn with their wait before their bar.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class QueueWaitTimelineTest {

  @Test
  void aModeQueuedByMaxInFlightShowsItsQueueWaitsAndTheServersPeak() throws Exception {
    RunReport.Mode mode;
    int serverMax;
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofMillis(200)));
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).maxInFlight(4).build()) {
      List<Long> ids = LongStream.rangeClosed(1, 20).boxed().toList();
      ModeRecorder recorder = ModeRecorder.start("all");
      FanoutFuture<List<User>> run = Fanout.all(ids, (input, context) -> client.users().getAsync(input), FanoutOptions.defaults());
      run.await();
      recorder.finish();
      recorder.add(run.report(), e -> new ModeRecorder.Input("user " + ids.get(e.index()), ids.get(e.index()), "users"));
      mode = recorder.toMode();
      serverMax = backend.stats().maxInFlight();
    }

    assertThat(serverMax).isEqualTo(4);
    assertThat(mode.peakConcurrency()).isEqualTo(4);
    assertThat(mode.speedUp()).isLessThanOrEqualTo(4.05).isGreaterThan(2.0); // whole milliseconds: a little slack
    assertThat(mode.sumMillis()).isGreaterThan(mode.inFlightMillis());
    // Four slots: at least sixteen calls went out only once an earlier call had ended and freed one, and their
    // wait until then shows as queued (a first call can wait too, for the JVM to load the classes its send
    // needs: its wait is real, not a slot's). On a busy machine the calls start over tens of milliseconds, so
    // the bound is the first answer's end, not a fixed 200 ms.
    long firstEnd = mode.calls().stream().mapToLong(RunReport.Call::endMillis).min().orElseThrow();
    List<RunReport.Call> waited = mode.calls().stream()
        .filter(c -> c.sentMillis() != null && c.sentMillis() >= firstEnd - 1).toList();
    assertThat(waited).hasSizeGreaterThanOrEqualTo(16)
        .allSatisfy(c -> assertThat(c.queuedMillis()).isGreaterThanOrEqualTo(firstEnd - 1 - c.startMillis()));
    assertThat(mode.calls()).allSatisfy(c -> {
      assertThat(c.sentMillis()).isNotNull();
      assertThat(c.inFlightMillis()).isGreaterThanOrEqualTo(200);
    });
    assertThat(mode.queuedMillis()).isEqualTo(mode.calls().stream().mapToLong(RunReport.Call::queuedMillis).sum());

    RunReport report = RunReport.of("users", "http://127.0.0.1:1", true, 200L, List.of(mode));
    assertThat(RunReport.SCHEMA_VERSION).isEqualTo(3);
    assertThat(report.toJson()).contains("\"sentMillis\"", "\"inFlightMillis\"", "\"queuedMillis\"");
    Document svg = xml(Timeline.svg(report));
    assertThat(withClass(svg, "rect", "bar")).hasSize(20);
    List<Element> waits = withClass(svg, "rect", "queue");
    assertThat(waits).hasSizeGreaterThanOrEqualTo(16);
    assertThat(waits).allSatisfy(w -> assertThat(w.getTextContent()).contains("queued").contains("maxInFlight"));
    assertThat(svg.getDocumentElement().getTextContent()).contains("peak 4 in flight", "queued for maxInFlight");
    assertThat(Timeline.html(report)).contains("<th>queued</th>");
  }

  @Test
  void aCallWithoutSendTimesIsDrawnAsBeforeAndCountsItsRunAsInFlight() throws Exception {
    RunReport.Call plain = new RunReport.Call("a", null, "lane", 0, 1000, 1, Outcome.Kind.SUCCEEDED, null);
    RunReport.Call queued = new RunReport.Call("b", null, "lane", 0, 400L, 1000, 600L, 1, Outcome.Kind.SUCCEEDED, null);
    RunReport.Mode mode = RunReport.Mode.of("m", 1000, List.of(plain, queued));

    assertThat(mode.inFlightMillis()).isEqualTo(1600);
    assertThat(mode.queuedMillis()).isEqualTo(400);
    assertThat(mode.speedUp()).isEqualTo(1.6);
    assertThat(mode.peakConcurrency()).isEqualTo(2);
    Document svg = xml(Timeline.svg(RunReport.of("t", "http://127.0.0.1:1", true, 0L, List.of(mode))));
    assertThat(withClass(svg, "rect", "queue")).hasSize(1);
    assertThat(withClass(svg, "rect", "bar")).hasSize(2);
  }

  /**
   * A governor's wait is not time queued for maxInFlight, and a call the governor held until its deadline was
   * never in flight: the mode's queued time, in-flight time and peak leave it out, and the timeline draws the
   * governor's wait, then the queue wait, then the bar.
   */
  @Test
  void aGovernorWaitIsNeitherQueuedForMaxInFlightNorInFlight() throws Exception {
    RunReport.Call heldToItsDeadline = new RunReport.Call("held", null, "lane", 0, null, 1000, 0L, 1,
        Outcome.Kind.TIMED_OUT, "FanoutTimeoutException", 0, 0, 1000);
    RunReport.Call heldThenQueued = new RunReport.Call("later", null, "lane", 0, 600L, 1000, 400L, 1,
        Outcome.Kind.SUCCEEDED, null, 0, 0, 400);
    RunReport.Mode mode = RunReport.Mode.of("m", 1000, List.of(heldToItsDeadline, heldThenQueued));

    assertThat(heldThenQueued.queuedMillis()).as("600 ms before it was sent, 400 of them held by the governor")
        .isEqualTo(200);
    assertThat(heldToItsDeadline.queuedMillis()).isZero();
    assertThat(mode.queuedMillis()).isEqualTo(200);
    assertThat(mode.inFlightMillis()).as("the held call is not counted in flight").isEqualTo(400);
    assertThat(mode.peakConcurrency()).isEqualTo(1);
    Document svg = xml(Timeline.svg(RunReport.of("t", "http://127.0.0.1:1", true, 0L, List.of(mode))));
    assertThat(withClass(svg, "rect", "governor-wait")).hasSize(2);
    assertThat(withClass(svg, "rect", "queue")).singleElement()
        .satisfies(q -> assertThat(q.getTextContent()).contains("queued 0.20 s", "sent at 0.60 s"));
  }

  private static Document xml(String text) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Element> withClass(Document doc, String tag, String cls) {
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
