package dev.fanout.samples.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A renderer of one trace from exported OTLP JSON to a waterfall SVG: one row per span, indented under its parent,
 * a bar from its start to its end on a shared time axis, events (hedges, governor waits, first chunk) as
 * marks on their span, failed spans red. It is how docs/observability.md pictures a fan-out's trace next to
 * the samples' own {@link Timeline}, from the very spans a collector would receive.
 *
 * <p>Input: lines of OTLP JSON, each a {@code ResourceSpans} object (what {@code OTEL_TRACES_EXPORTER=logging-otlp}
 * writes) or an {@code ExportTraceServiceRequest} ({@code {"resourceSpans": [...]}}, a collector's file
 * exporter); other lines (log output) are skipped. Every bar is a {@code <rect class="span ...">}.
 *
 * <pre>java -cp samples/target/fanout-samples.jar dev.fanout.samples.report.TraceSvg spans.jsonl trace.svg [TRACE_ID]</pre>
 */
public final class TraceSvg {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WIDTH = 1200;
  private static final int LABEL_WIDTH = 330;
  private static final int RIGHT_PAD = 150;
  private static final int TOP = 96;
  private static final int ROW = 24;
  private static final String FANOUT = "#7b5ea7";
  private static final String CALL = "#3d7dd8";
  private static final String ATTEMPT = "#17a673";
  private static final String SERVER = "#e07b00";
  private static final String FAILED = "#d62839";

  private TraceSvg() {}

  /** One span as exported. */
  public record SpanRow(
      String traceId, String spanId, String parentSpanId, String name, int kind, long startNanos, long endNanos,
      Map<String, String> attributes, List<Event> events, boolean error) {}

  /** One span event. */
  public record Event(String name, long timeNanos, Map<String, String> attributes) {}

  /** Renders {@code args[0]} (OTLP JSON lines) to {@code args[1]} (SVG), the trace {@code args[2]} or the largest. */
  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: TraceSvg SPANS.jsonl OUT.svg [TRACE_ID]");
      System.exit(2);
    }
    List<SpanRow> spans = parse(Files.readAllLines(Path.of(args[0])));
    String traceId = args.length == 3 ? args[2] : largestTrace(spans)
        .orElseThrow(() -> new IllegalArgumentException("no spans in " + args[0]));
    Path out = Path.of(args[1]);
    Files.writeString(out, svg(spans, traceId));
    System.out.println("wrote " + out + " (trace " + traceId + ")");
  }

  /** Parses OTLP JSON lines into spans; lines that are not OTLP JSON are skipped. */
  public static List<SpanRow> parse(List<String> lines) {
    List<SpanRow> spans = new ArrayList<>();
    for (String line : lines) {
      String t = line.strip();
      if (!t.startsWith("{")) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(t);
      } catch (IOException notJson) {
        continue;
      }
      List<JsonNode> resources = new ArrayList<>();
      if (node.has("resourceSpans")) {
        node.get("resourceSpans").forEach(resources::add);
      } else if (node.has("scopeSpans")) {
        resources.add(node);
      }
      for (JsonNode resource : resources) {
        for (JsonNode scope : resource.path("scopeSpans")) {
          for (JsonNode s : scope.path("spans")) {
            List<Event> events = new ArrayList<>();
            for (JsonNode e : s.path("events")) {
              events.add(new Event(e.path("name").asText(), e.path("timeUnixNano").asLong(), attributes(e)));
            }
            spans.add(new SpanRow(s.path("traceId").asText(), s.path("spanId").asText(),
                s.path("parentSpanId").asText(""), s.path("name").asText(), kind(s.path("kind")),
                s.path("startTimeUnixNano").asLong(), s.path("endTimeUnixNano").asLong(), attributes(s), events,
                status(s.path("status").path("code")) == 2));
          }
        }
      }
    }
    return spans;
  }

  /** Returns the id of the trace with the most spans. */
  public static Optional<String> largestTrace(List<SpanRow> spans) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (SpanRow s : spans) {
      counts.merge(s.traceId(), 1, Integer::sum);
    }
    return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
  }

  /** Returns the waterfall of trace {@code traceId} as a standalone SVG document. */
  public static String svg(List<SpanRow> all, String traceId) {
    List<SpanRow> trace = all.stream().filter(s -> s.traceId().equals(traceId)).toList();
    if (trace.isEmpty()) {
      throw new IllegalArgumentException("no span of trace " + traceId);
    }
    Map<String, SpanRow> byId = new LinkedHashMap<>();
    trace.forEach(s -> byId.put(s.spanId(), s));
    Map<String, List<SpanRow>> children = new LinkedHashMap<>();
    List<SpanRow> roots = new ArrayList<>();
    for (SpanRow s : trace) {
      if (byId.containsKey(s.parentSpanId())) {
        children.computeIfAbsent(s.parentSpanId(), k -> new ArrayList<>()).add(s);
      } else {
        roots.add(s);
      }
    }
    List<SpanRow> rows = new ArrayList<>();
    List<Integer> depths = new ArrayList<>();
    roots.sort(Comparator.comparingLong(SpanRow::startNanos));
    for (SpanRow root : roots) {
      walk(root, 0, children, rows, depths);
    }
    long start = trace.stream().mapToLong(SpanRow::startNanos).min().orElse(0);
    long end = trace.stream().mapToLong(SpanRow::endNanos).max().orElse(start + 1);
    double totalMs = Math.max(1e-3, (end - start) / 1e6);
    double step = niceStep(totalMs);
    int ticks = (int) Math.ceil(totalMs / step - 1e-9);
    double domain = Math.max(step, ticks * step);
    int chartWidth = WIDTH - LABEL_WIDTH - RIGHT_PAD;
    int chartBottom = TOP + rows.size() * ROW + 8;
    int height = chartBottom + 84;

    StringBuilder svg = new StringBuilder(8192);
    svg.append(Svg.open(WIDTH, height));
    String title = roots.isEmpty() ? "trace" : roots.get(0).name();
    svg.append("<title>").append(Svg.esc("trace " + traceId + ": " + title)).append("</title>\n");
    svg.append(Svg.background(WIDTH, height));
    svg.append(text(24, 36, 22, "#1f2933", "700", "start", title));
    long failed = trace.stream().filter(SpanRow::error).count();
    svg.append(text(24, 62, 14, "#52606d", "400", "start", String.format(Locale.ROOT,
        "trace %s · %d spans%s · %s", traceId, trace.size(), failed == 0 ? "" : " · " + failed + " failed",
        duration(end - start))));

    svg.append("<g class=\"axis\">\n");
    for (int i = 0; i <= ticks; i++) {
      double x = LABEL_WIDTH + chartWidth * (i * step) / domain;
      svg.append(Svg.gridLine(x, TOP - 8, chartBottom, i == 0));
      svg.append(text(x, TOP - 14, 12, "#7b8794", "400", "middle", tick(i * step, step)));
    }
    svg.append(text(LABEL_WIDTH + chartWidth / 2.0, chartBottom + 20, 12, "#7b8794", "400", "middle",
        "time since the trace started"));
    svg.append("</g>\n");

    for (int r = 0; r < rows.size(); r++) {
      SpanRow s = rows.get(r);
      int depth = depths.get(r);
      boolean attempt = byId.containsKey(s.parentSpanId()) && s.kind() == 3 && byId.get(s.parentSpanId()).kind() == 3;
      String color = s.error() ? FAILED : s.kind() == 2 ? SERVER : attempt ? ATTEMPT : s.kind() == 3 ? CALL : FANOUT;
      String role = s.kind() == 2 ? "server" : attempt ? "attempt" : s.kind() == 3 ? "call" : "internal";
      int y = TOP + r * ROW;
      double x = LABEL_WIDTH + chartWidth * ((s.startNanos() - start) / 1e6) / domain;
      double w = Math.max(1.5, chartWidth * ((s.endNanos() - s.startNanos()) / 1e6) / domain);
      if (r % 2 == 1) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"12\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f5f7fa\"/>%n",
            y, WIDTH - 24, ROW));
      }
      svg.append("<g class=\"row\" data-span=\"").append(Svg.esc(s.spanId())).append("\">\n");
      svg.append(text(24 + depth * 16, y + ROW / 2.0 + 4.5, 13, "#323f4b", depth == 0 ? "700" : "500", "start",
          label(s, attempt)));
      svg.append(String.format(Locale.ROOT,
          "<rect class=\"span %s%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" fill=\"%s\">"
              + "<title>%s</title></rect>%n",
          role, s.error() ? " failed" : "", x, y + 5, w, ROW - 10, color, Svg.esc(tooltip(s))));
      for (Event e : s.events()) {
        double ex = LABEL_WIDTH + chartWidth * ((e.timeNanos() - start) / 1e6) / domain;
        String waited = e.attributes().get("fanout.governor.wait.duration");
        if (waited != null) { // the wait ended at the event: draw the time it held the call
          double ww = chartWidth * (Double.parseDouble(waited) * 1000) / domain;
          svg.append(String.format(Locale.ROOT,
              "<rect class=\"wait\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#ffffff\" "
                  + "opacity=\"0.55\"><title>governor wait %s s</title></rect>%n",
              ex - ww, y + 5, ww, ROW - 10, Svg.esc(waited)));
        }
        svg.append(String.format(Locale.ROOT,
            "<path class=\"event\" d=\"M%.1f %d l5 6 l-5 6 l-5 -6 z\" fill=\"#1f2933\" stroke=\"#ffffff\" "
                + "stroke-width=\"1\"><title>%s</title></path>%n",
            ex, y + 6, Svg.esc(e.name() + " " + e.attributes())));
      }
      svg.append(text(x + w + 6, y + ROW / 2.0 + 4.5, 12, "#52606d", "400", "start", detail(s)));
      svg.append("</g>\n");
    }
    legend(svg, chartBottom + 50);
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void walk(SpanRow s, int depth, Map<String, List<SpanRow>> children, List<SpanRow> rows,
      List<Integer> depths) {
    rows.add(s);
    depths.add(depth);
    List<SpanRow> kids = new ArrayList<>(children.getOrDefault(s.spanId(), List.of()));
    kids.sort(Comparator.comparingLong(SpanRow::startNanos));
    for (SpanRow k : kids) {
      walk(k, depth + 1, children, rows, depths);
    }
  }

  private static String label(SpanRow s, boolean attempt) {
    Map<String, String> a = s.attributes();
    if (attempt) {
      String resend = a.get("http.request.resend_count");
      return "true".equals(a.get("fanout.attempt.hedge")) ? "hedge" : resend == null ? "attempt 1" : "attempt " + (Long.parseLong(resend) + 1);
    }
    String url = a.get("url.full");
    if (s.kind() == 3 && url != null && !s.name().contains(" ")) {
      String path = url.replaceFirst("^[a-z]+://[^/]+", "");
      return cut(s.name() + " " + path, 38);
    }
    return cut(s.name(), 38);
  }

  private static String detail(SpanRow s) {
    Map<String, String> a = s.attributes();
    StringBuilder d = new StringBuilder(duration(s.endNanos() - s.startNanos()));
    if (a.containsKey("http.response.status_code")) {
      d.append(" · ").append(a.get("http.response.status_code"));
    }
    if (a.containsKey("error.type") && !a.get("error.type").equals(a.get("http.response.status_code"))) {
      String type = a.get("error.type");
      d.append(" · ").append(type.substring(type.lastIndexOf('.') + 1));
    }
    if (a.containsKey("gen_ai.usage.output_tokens")) {
      d.append(" · ").append(a.get("gen_ai.usage.output_tokens")).append(" tokens");
    }
    if (a.containsKey("fanout.calls.succeeded")) {
      d.append(" · ").append(a.get("fanout.calls.succeeded")).append(" ok");
      if (!"0".equals(a.get("fanout.calls.failed"))) {
        d.append(", ").append(a.get("fanout.calls.failed")).append(" failed");
      }
    }
    return d.toString();
  }

  private static String tooltip(SpanRow s) {
    StringBuilder t = new StringBuilder(s.name()).append(" (").append(duration(s.endNanos() - s.startNanos())).append(")");
    s.attributes().forEach((k, v) -> t.append('\n').append(k).append('=').append(v));
    return t.toString();
  }

  private static void legend(StringBuilder svg, int y) {
    String[][] items = {{FANOUT, "fan-out (INTERNAL)"}, {CALL, "logical call (CLIENT)"},
        {ATTEMPT, "attempt on the wire (CLIENT)"}, {SERVER, "backend (SERVER)"}, {FAILED, "failed (status ERROR)"}};
    double x = 24;
    for (String[] item : items) {
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"16\" height=\"12\" rx=\"2\" fill=\"%s\"/>%n",
          x, y - 10, item[0]));
      svg.append(text(x + 22, y, 12, "#52606d", "400", "start", item[1]));
      x += 30 + item[1].length() * 7.0;
    }
    svg.append(String.format(Locale.ROOT,
        "<path d=\"M%.1f %d l5 6 l-5 6 l-5 -6 z\" fill=\"#1f2933\"/>%n", x + 5, y - 12));
    svg.append(text(x + 16, y, 12, "#52606d", "400", "start", "event · pale: governor wait"));
  }

  private static Map<String, String> attributes(JsonNode owner) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode a : owner.path("attributes")) {
      out.put(a.path("key").asText(), value(a.path("value")));
    }
    return out;
  }

  private static String value(JsonNode v) {
    if (v.has("stringValue")) return v.get("stringValue").asText();
    if (v.has("intValue")) return v.get("intValue").asText();
    if (v.has("doubleValue")) return v.get("doubleValue").asText();
    if (v.has("boolValue")) return v.get("boolValue").asText();
    if (v.has("arrayValue")) {
      List<String> items = new ArrayList<>();
      v.get("arrayValue").path("values").forEach(x -> items.add(value(x)));
      return items.toString();
    }
    return v.toString();
  }

  /** Proto3 JSON may spell an enum as its number or its name. */
  private static int kind(JsonNode k) {
    if (k.isNumber()) return k.asInt();
    return switch (k.asText("")) {
      case "SPAN_KIND_INTERNAL" -> 1;
      case "SPAN_KIND_SERVER" -> 2;
      case "SPAN_KIND_CLIENT" -> 3;
      case "SPAN_KIND_PRODUCER" -> 4;
      case "SPAN_KIND_CONSUMER" -> 5;
      default -> 0;
    };
  }

  private static int status(JsonNode c) {
    if (c.isNumber()) return c.asInt();
    return switch (c.asText("")) {
      case "STATUS_CODE_OK" -> 1;
      case "STATUS_CODE_ERROR" -> 2;
      default -> 0;
    };
  }

  private static String duration(long nanos) {
    double ms = nanos / 1e6;
    return ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  private static double niceStep(double totalMs) {
    double raw = totalMs / 8;
    double pow = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (raw <= m * pow) return m * pow;
    }
    return 10 * pow;
  }

  private static String tick(double ms, double step) {
    if (step >= 1000) return String.format(Locale.ROOT, "%.0f s", ms / 1000).replace(".0 s", " s");
    if (step >= 100) return String.format(Locale.ROOT, "%.1f s", ms / 1000);
    return String.format(Locale.ROOT, step >= 1 ? "%.0f ms" : "%.2f ms", ms);
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static String text(double x, double y, int size, String color, String weight, String anchor, String s) {
    return String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" fill=\"%s\" font-weight=\"%s\" text-anchor=\"%s\">%s</text>%n",
        x, y, size, color, weight, anchor, Svg.esc(s));
  }
}
