package dev.fanout.samples.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TimelineTest {
  @TempDir
  Path dir;

  private static RunReport.Call call(String label, String lane, long start, long end, int attempts, String outcome) {
    // "ok" or an exception's simple name, read as the typed outcome plus the error name.
    dev.fanout.Outcome.Kind kind = outcome.equals("ok") ? dev.fanout.Outcome.Kind.SUCCEEDED
        : outcome.endsWith("CancelledException") ? dev.fanout.Outcome.Kind.CANCELLED
        : outcome.endsWith("TimeoutException") ? dev.fanout.Outcome.Kind.TIMED_OUT
        : dev.fanout.Outcome.Kind.FAILED;
    return new RunReport.Call(label, null, lane, start, end, attempts, kind, outcome.equals("ok") ? null : outcome);
  }

  private static RunReport sample() {
    RunReport.Mode one = RunReport.Mode.of("sequential", 3000, List.of(
        call("a <1>", "chain & co", 0, 1000, 1, "ok"),
        call("b", "chain & co", 1000, 2000, 3, "ok"),
        call("c", "other", 2000, 3000, 1, "ServerException")));
    RunReport.Mode two = RunReport.Mode.of("hedged", 1000, List.of(
        call("a #1", "agent", 0, 1000, 1, "ok"),
        call("a #2", "agent", 0, 1000, 1, "FanoutCancelledException"),
        call("never", "agent", -1, -1, 0, "FanoutCancelledException")));
    return RunReport.of("test", "http://127.0.0.1:1", true, 1000L, List.of(one, two));
  }

  @Test
  void svgIsXmlWithOneBarPerStartedCallAndOneLanePerLane() throws Exception {
    Document doc = xml(Timeline.svg(sample()));

    assertThat(withClass(doc, "g", "mode")).hasSize(2);
    assertThat(withClass(doc, "g", "lane")).extracting(e -> e.getAttribute("data-lane"))
        .containsExactly("chain & co", "other", "agent");
    assertThat(withClass(doc, "rect", "bar")).hasSize(5);
    assertThat(withClass(doc, "rect", "failed")).hasSize(1);
    assertThat(withClass(doc, "rect", "retried")).hasSize(1);
    assertThat(withClass(doc, "rect", "unfinished")).hasSize(1);
    // Overlapping calls of one lane get rows of their own: the hedged lane is two rows high.
    List<Element> hedgedBars = withClass(doc, "rect", "bar").subList(3, 5);
    assertThat(hedgedBars.get(0).getAttribute("y")).isNotEqualTo(hedgedBars.get(1).getAttribute("y"));
    assertThat(doc.getDocumentElement().getTextContent()).contains("a <1>").contains("sequential 3.00 s");
  }

  @Test
  void scalesDownToManyRows() throws Exception {
    List<RunReport.Call> calls = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      calls.add(call("user " + i, "users", i % 10, 100 + i % 10, 1, "ok"));
    }
    RunReport report = RunReport.of("users", "http://x", false, null, List.of(RunReport.Mode.of("settle", 120, calls)));
    Document doc = xml(Timeline.svg(report));
    assertThat(withClass(doc, "rect", "bar")).hasSize(500);
    assertThat(Integer.parseInt(doc.getDocumentElement().getAttribute("height"))).isLessThan(1000);
  }

  @Test
  void writesHtmlOrSvgByExtension() throws Exception {
    Path html = dir.resolve("t.html");
    Path svg = dir.resolve("sub/t.svg");
    Timeline.write(sample(), html);
    Timeline.write(sample(), svg);
    assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("<svg").contains("<td>hedged</td>")
        .as("nothing fetched over the network").doesNotContain("href=\"http", "src=", "<script", "<link", "@import");
    xml(Files.readString(svg));
  }

  @Test
  void reportRoundTripsThroughJson() {
    Path file = dir.resolve("r.json");
    RunReport report = sample();
    report.writeTo(file);
    RunReport read = RunReport.read(file);
    assertThat(read).isEqualTo(report);
    RunReport.Mode sequential = read.mode("sequential");
    assertThat(sequential.ok()).isEqualTo(2);
    assertThat(sequential.failed()).isEqualTo(1);
    assertThat(sequential.sumMillis()).isEqualTo(3000);
    assertThat(sequential.peakConcurrency()).isEqualTo(1);
    assertThat(read.mode("hedged").peakConcurrency()).isEqualTo(2);
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
