package dev.fanout.samples.report;

import dev.fanout.Outcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a {@link RunReport} as a Gantt chart: one block per mode, one lane per chain (or agent, or retriever)
 * inside it, one bar per call on a time axis shared by all modes, so that "6 s, then 3 s, then 1 s" is
 * visible at a glance. Failed calls are red and crossed, retried calls carry a dashed outline and their
 * attempt count, calls that never finished (cancelled, timed out) are grey and hatched. A call that waited in
 * the client's queue (for a {@code maxInFlight} slot) before its first request went out has that wait drawn
 * as a pale {@code <rect class="queue">} before its bar, which starts when the request was sent.
 *
 * <p>The output is plain SVG 1.1 (or an HTML page embedding it with a summary table): no scripts, fonts or
 * anything else fetched over the network. Every bar is a {@code <rect class="bar ...">} and every lane a
 * {@code <g class="lane">}, which is what tests count.
 */
public final class Timeline {
  private static final int WIDTH = 1200;
  private static final int LABEL_WIDTH = 210;
  private static final int RIGHT_PAD = 70;
  private static final int TOP = 104;
  private static final int MODE_HEADER = 30;
  private static final int MODE_GAP = 14;
  private static final String[] MODE_COLORS = {"#3d7dd8", "#7b5ea7", "#17a673", "#e07b00", "#c2185b", "#5c6b7a"};
  private static final String FAILED = "#d62839";
  private static final String UNFINISHED = "#aab2bd";
  private static final String RETRIED = "#102a43";
  private static final String GOVERNOR_WAIT = "#f0b429";

  private Timeline() {}

  /** Writes the timeline of {@code report} to {@code file}: HTML if its name ends in .html or .htm, else SVG. */
  public static void write(RunReport report, Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    String text = name.endsWith(".html") || name.endsWith(".htm") ? html(report) : svg(report);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write timeline to " + file, e);
    }
  }

  /** Returns a self-contained HTML page: the chart and a table of the modes. */
  public static String html(RunReport report) {
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(Svg.esc(title(report))).append("</title>\n<style>\n")
        .append("body{font-family:").append(Svg.FONT).append(";margin:24px;color:#1f2933;background:#fff}\n")
        .append("svg{max-width:100%;height:auto}\n")
        .append("table{border-collapse:collapse;margin:8px 0 0 12px;font-size:14px}\n")
        .append("th,td{padding:6px 14px;text-align:right;border-bottom:1px solid #e4e7eb}\n")
        .append("th:first-child,td:first-child{text-align:left}\nth{color:#52606d;font-weight:600}\n")
        .append("</style>\n</head>\n<body>\n")
        .append(svg(report))
        .append("\n<table>\n<tr><th>mode</th><th>wall</th>")
        .append(report.modes().size() < 2 ? "" : "<th>faster than " + Svg.esc(report.modes().get(0).name()) + "</th>")
        .append("<th>calls</th><th>ok</th><th>failed</th>")
        .append("<th>peak in flight</th><th>in flight</th><th>queued</th>")
        .append("<th>overlap (in flight &#247; wall)</th></tr>\n");
    long baseline = report.modes().isEmpty() ? 0 : report.modes().get(0).wallMillis();
    for (RunReport.Mode mode : report.modes()) {
      out.append(String.format(Locale.ROOT,
          "<tr><td>%s</td><td>%s</td>%s<td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td><td>%s</td>"
              + "<td>%.2f&#215;</td></tr>%n",
          Svg.esc(mode.name()), seconds(mode.wallMillis()), report.modes().size() < 2 ? ""
              : String.format(Locale.ROOT, "<td>%.1f&#215;</td>", (double) baseline / Math.max(1, mode.wallMillis())),
          mode.calls().size(), mode.ok(), mode.failed(), mode.peakConcurrency(), seconds(mode.inFlightMillis()),
          seconds(mode.queuedMillis()), mode.speedUp()));
    }
    out.append("</table>\n</body>\n</html>\n");
    return out.toString();
  }

  /** Returns the chart as a standalone SVG document. */
  public static String svg(RunReport report) {
    List<Block> blocks = layout(report);
    int rows = 0;
    for (Block block : blocks) {
      for (Lane lane : block.lanes) {
        rows += lane.rows.size();
      }
    }
    int rowHeight = rows <= 24 ? 26 : Math.max(1, Math.min(26, 620 / rows));
    int laneGap = rowHeight >= 12 ? 6 : 2;
    int chartWidth = WIDTH - LABEL_WIDTH - RIGHT_PAD;

    long maxMillis = 1;
    for (RunReport.Mode mode : report.modes()) {
      maxMillis = Math.max(maxMillis, mode.wallMillis());
      for (RunReport.Call call : mode.calls()) {
        maxMillis = Math.max(maxMillis, call.endMillis());
      }
    }
    double step = niceStep(maxMillis);
    int ticks = (int) Math.ceil(maxMillis / step - 1e-9);
    double domain = Math.max(step, ticks * step);

    int height = TOP;
    for (Block block : blocks) {
      height += MODE_HEADER + MODE_GAP;
      for (Lane lane : block.lanes) {
        height += lane.rows.size() * rowHeight + laneGap;
      }
    }
    int chartBottom = height;
    height += 70;

    StringBuilder svg = new StringBuilder(8192);
    svg.append(Svg.open(WIDTH, height));
    svg.append("<title>").append(Svg.esc(title(report))).append("</title>\n");
    svg.append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
        + "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"" + UNFINISHED + "\"/>"
        + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" stroke-width=\"2.5\"/></pattern></defs>\n");
    svg.append(Svg.background(WIDTH, height));

    // Title and the one-line story.
    svg.append(text(24, 36, 22, "#1f2933", "700", "start", title(report)));
    svg.append(text(24, 62, 14, "#52606d", "400", "start", subtitle(report)));

    // Time axis: grid lines across every mode, labels above and below.
    svg.append("<g class=\"axis\">\n");
    for (int i = 0; i <= ticks; i++) {
      double x = LABEL_WIDTH + chartWidth * (i * step) / domain;
      svg.append(Svg.gridLine(x, TOP - 8, chartBottom, i == 0));
      String label = tickLabel(i * step, step);
      svg.append(text(x, TOP - 14, 12, "#7b8794", "400", "middle", label));
      svg.append(text(x, chartBottom + 18, 12, "#7b8794", "400", "middle", label));
    }
    svg.append(text(LABEL_WIDTH + chartWidth / 2.0, chartBottom + 36, 12, "#7b8794", "400", "middle",
        "time since the mode started (seconds)"));
    svg.append("</g>\n");

    int y = TOP;
    for (int m = 0; m < blocks.size(); m++) {
      Block block = blocks.get(m);
      RunReport.Mode mode = block.mode;
      String color = MODE_COLORS[m % MODE_COLORS.length];
      int blockHeight = MODE_HEADER;
      for (Lane lane : block.lanes) {
        blockHeight += lane.rows.size() * rowHeight + laneGap;
      }
      svg.append("<g class=\"mode\" data-mode=\"").append(Svg.esc(mode.name())).append("\">\n");
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"12\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"8\" fill=\"%s\" opacity=\"0.06\"/>%n",
          y, WIDTH - 24, blockHeight + 4, color));
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"12\" y=\"%d\" width=\"5\" height=\"%d\" rx=\"2\" fill=\"%s\"/>%n", y, blockHeight + 4, color));
      svg.append(text(28, y + 21, 16, color, "700", "start", mode.name()));
      long unfinished = mode.calls().stream().filter(c -> !c.ok() && !finished(c)).count();
      long failed = mode.failed() - unfinished;
      String summary = String.format(Locale.ROOT, "%s · %d call%s%s%s · peak %d in flight%s%s",
          seconds(mode.wallMillis()), mode.calls().size(), mode.calls().size() == 1 ? "" : "s",
          failed > 0 ? " · " + failed + " failed" : "", unfinished > 0 ? " · " + unfinished + " cancelled" : "",
          mode.peakConcurrency(),
          mode.speedUp() >= 1.05 ? String.format(Locale.ROOT, " · %.1f× overlap", mode.speedUp()) : "",
          mode.queuedMillis() > 0 ? " · " + seconds(mode.queuedMillis()) + " queued for maxInFlight" : "");
      svg.append(text(LABEL_WIDTH, y + 21, 13, "#52606d", "400", "start", summary));

      // Where the mode ended: a line in the mode's colour and its wall time.
      double endX = LABEL_WIDTH + chartWidth * mode.wallMillis() / domain;
      svg.append(String.format(Locale.ROOT,
          "<line class=\"wall\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
          endX, y + MODE_HEADER - 4, endX, y + blockHeight, color));
      svg.append(text(endX + 5, y + blockHeight - 3, 12, color, "700", "start", seconds(mode.wallMillis())));

      int laneY = y + MODE_HEADER;
      for (Lane lane : block.lanes) {
        int laneHeight = lane.rows.size() * rowHeight;
        svg.append("<g class=\"lane\" data-lane=\"").append(Svg.esc(lane.name)).append("\">\n");
        svg.append(text(LABEL_WIDTH - 12, laneY + laneHeight / 2.0 + 4.5, 13, "#323f4b", "500", "end",
            lane.name + (lane.rows.size() > 1 && rowHeight < 12 ? " (" + lane.rows.size() + " rows)" : "")));
        for (int r = 0; r < lane.rows.size(); r++) {
          for (RunReport.Call call : lane.rows.get(r)) {
            // Segments in the order they happen: held by the governor, queued for maxInFlight, then the bar.
            long duration = Math.max(0, call.endMillis() - call.startMillis());
            long held = Math.min(call.governorWaitMillis(), duration);
            long queued = Math.min(call.queuedMillis(), duration - held);
            if (held > 0) {
              governorWait(svg, call, LABEL_WIDTH + chartWidth * call.startMillis() / domain,
                  chartWidth * held / domain, laneY + r * rowHeight, rowHeight);
            }
            if (queued > 0) {
              queue(svg, call, color, LABEL_WIDTH + chartWidth * (call.startMillis() + held) / domain,
                  chartWidth * queued / domain, laneY + r * rowHeight, rowHeight);
            }
            bar(svg, call, color, LABEL_WIDTH + chartWidth * (call.startMillis() + held + queued) / domain,
                Math.max(1.5, chartWidth * (duration - held - queued) / domain),
                laneY + r * rowHeight, rowHeight);
          }
        }
        svg.append("</g>\n");
        laneY += laneHeight + laneGap;
      }
      svg.append("</g>\n");
      y += blockHeight + MODE_GAP;
    }

    legend(svg, chartBottom + 56, blocks.size() > 0 ? MODE_COLORS[0] : MODE_COLORS[0]);
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void bar(StringBuilder svg, RunReport.Call call, String color, double x, double w, int rowY, int rowHeight) {
    double h = rowHeight >= 12 ? rowHeight - 6 : Math.max(1, rowHeight - 1);
    double top = rowY + (rowHeight - h) / 2.0;
    boolean finished = finished(call);
    String kind = call.ok() ? "ok" : finished ? "failed" : "unfinished";
    String fill = call.ok() ? color : finished ? FAILED : "url(#hatch)";
    boolean retried = call.attempts() > 1;
    double radius = Math.min(4, h / 3);
    svg.append(String.format(Locale.ROOT,
        "<rect class=\"bar %s%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%.1f\" fill=\"%s\"%s>",
        kind, retried ? " retried" : "", x, top, w, h, radius, fill,
        retried ? " stroke=\"" + RETRIED + "\" stroke-width=\"2\" stroke-dasharray=\"5 3\"" : ""));
    svg.append("<title>").append(Svg.esc(String.format(Locale.ROOT, "%s — %s to %s (%s), %d attempt%s%s, %s%s",
        call.label(), seconds(call.startMillis()), seconds(call.endMillis()),
        seconds(call.endMillis() - call.startMillis()), call.attempts(), call.attempts() == 1 ? "" : "s",
        call.hedgesSent() == 0 ? "" : String.format(Locale.ROOT, ", %d hedge%s sent%s", call.hedgesSent(),
            call.hedgesSent() == 1 ? "" : "s", call.hedgesWon() > 0 ? " (won)" : ""),
        call.describe(), call.governorWaitMillis() > 0
            ? ", waited " + seconds(call.governorWaitMillis()) + " for the rate-limit governor" : "")))
        .append("</title></rect>\n");
    if (h < 10) {
      return;
    }
    String mark = (call.ok() ? "" : finished ? "✕ " : "⊘ ") + call.label()
        + (retried ? "  ↻" + call.attempts() : "") + (call.hedgesSent() > 0 ? "  ⑂" + call.hedgesSent() : "");
    if (mark.length() * 6.6 + 10 <= w) {
      svg.append(text(x + 7, top + h / 2 + 4.2, 11.5, call.ok() ? "#ffffff" : finished ? "#ffffff" : "#1f2933",
          "600", "start", mark));
    } else if (!call.ok() || retried) {
      String shortMark = (!call.ok() ? (finished ? "✕" : "⊘") : "") + (retried ? "↻" + call.attempts() : "");
      if (shortMark.length() * 7 + 4 <= w) {
        svg.append(text(x + w / 2, top + h / 2 + 4.2, 11, finished ? "#ffffff" : "#1f2933", "700", "middle", shortMark));
      }
    }
  }

  /**
   * The call's wait for the rate-limit governor, drawn before its queue wait and its bar (waits before
   * retries are summed into it).
   */
  private static void governorWait(StringBuilder svg, RunReport.Call call, double x, double w, int rowY,
      int rowHeight) {
    double h = rowHeight >= 12 ? rowHeight - 6 : Math.max(1, rowHeight - 1);
    double top = rowY + (rowHeight - h) / 2.0;
    svg.append(String.format(Locale.ROOT,
        "<rect class=\"governor-wait\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"%.1f\" "
            + "fill=\"%s\" opacity=\"0.85\"><title>%s</title></rect>%n",
        x, top, w, h, Math.min(4, h / 3), GOVERNOR_WAIT, Svg.esc(call.label() + " — waited "
            + seconds(call.governorWaitMillis()) + " for the rate-limit governor")));
  }

  /** The wait before a call's first request left the client's queue: a pale strip in the mode's colour. */
  private static void queue(StringBuilder svg, RunReport.Call call, String color, double x, double w, int rowY,
      int rowHeight) {
    double h = rowHeight >= 12 ? Math.max(4, (rowHeight - 6) / 2.0) : Math.max(1, rowHeight - 1);
    double top = rowY + (rowHeight - h) / 2.0;
    svg.append(String.format(Locale.ROOT,
        "<rect class=\"queue\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" opacity=\"0.28\">",
        x, top, w, h, color));
    svg.append("<title>").append(Svg.esc(String.format(Locale.ROOT, "%s — queued %s for a maxInFlight slot, sent at %s",
        call.label(), seconds(call.queuedMillis()),
        seconds(call.sentMillis() != null ? call.sentMillis() : call.startMillis() + call.queuedMillis()))))
        .append("</title></rect>\n");
  }

  /** Returns false for a call that was cut short (cancelled, timed out) rather than answered with a failure. */
  private static boolean finished(RunReport.Call call) {
    return call.outcome() != Outcome.Kind.CANCELLED && call.outcome() != Outcome.Kind.TIMED_OUT;
  }

  private static void legend(StringBuilder svg, int y, String okColor) {
    svg.append("<g class=\"legend\">\n");
    double x = LABEL_WIDTH;
    x = legendItem(svg, x, y, "<rect x=\"%.1f\" y=\"%d\" width=\"22\" height=\"12\" rx=\"3\" fill=\"" + okColor + "\"/>",
        "one call (colour of its mode)");
    x = legendItem(svg, x, y, "<rect x=\"%.1f\" y=\"%d\" width=\"22\" height=\"12\" rx=\"3\" fill=\"" + okColor
        + "\" stroke=\"" + RETRIED + "\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>", "retried (↻ attempts)");
    x = legendItem(svg, x, y, "<rect x=\"%.1f\" y=\"%d\" width=\"22\" height=\"12\" rx=\"3\" fill=\"" + FAILED + "\"/>",
        "failed (✕)");
    x = legendItem(svg, x, y, "<rect x=\"%.1f\" y=\"%d\" width=\"22\" height=\"12\" rx=\"3\" fill=\"url(#hatch)\"/>",
        "cancelled or timed out (⊘)");
    x = legendItem(svg, x, y, "<rect x=\"%.1f\" y=\"%d\" width=\"22\" height=\"6\" fill=\"" + okColor
        + "\" opacity=\"0.28\"/>", "queued in client");
    legendItem(svg, x, y, "<rect x=\"%.1f\" y=\"%d\" width=\"22\" height=\"12\" rx=\"3\" fill=\"" + GOVERNOR_WAIT
        + "\"/>", "governor wait");
    svg.append("</g>\n");
  }

  private static double legendItem(StringBuilder svg, double x, int y, String swatch, String label) {
    svg.append(String.format(Locale.ROOT, swatch, x, y - 10)).append('\n');
    svg.append(text(x + 30, y, 12.5, "#52606d", "400", "start", label));
    return x + 30 + label.length() * 6.8 + 28;
  }

  private static String text(double x, double y, double size, String fill, String weight, String anchor, String s) {
    return String.format(Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" fill=\"%s\" font-weight=\"%s\" text-anchor=\"%s\">%s</text>%n",
        x, y, size, fill, weight, anchor, Svg.esc(s));
  }

  static String title(RunReport report) {
    return "fanout " + report.command() + " · "
        + (report.embedded()
            ? "embedded mock server at " + latency(report.latencyMillis() == null ? 0 : report.latencyMillis()) + " latency"
            : report.baseUrl());
  }

  static String subtitle(RunReport report) {
    StringBuilder out = new StringBuilder();
    long first = report.modes().isEmpty() ? 0 : report.modes().get(0).wallMillis();
    for (RunReport.Mode mode : report.modes()) {
      if (out.length() > 0) {
        out.append("   →   ");
      }
      out.append(mode.name()).append(' ').append(seconds(mode.wallMillis()));
      if (out.length() > 0 && mode != report.modes().get(0) && mode.wallMillis() > 0) {
        out.append(String.format(Locale.ROOT, " (%.1f× faster)", (double) first / mode.wallMillis()));
      }
    }
    return out.toString();
  }

  /** Groups each mode's calls into lanes (first-seen order), and packs overlapping calls into rows. */
  private static List<Block> layout(RunReport report) {
    List<Block> blocks = new ArrayList<>();
    for (RunReport.Mode mode : report.modes()) {
      Map<String, Lane> lanes = new LinkedHashMap<>();
      for (RunReport.Call call : mode.calls()) {
        Lane lane = lanes.computeIfAbsent(call.lane(), Lane::new);
        if (call.started()) {
          lane.place(call);
        }
      }
      for (Lane lane : lanes.values()) {
        if (lane.rows.isEmpty()) {
          lane.rows.add(new ArrayList<>());
        }
      }
      blocks.add(new Block(mode, new ArrayList<>(lanes.values())));
    }
    return blocks;
  }

  private record Block(RunReport.Mode mode, List<Lane> lanes) {}

  private static final class Lane {
    final String name;
    final List<List<RunReport.Call>> rows = new ArrayList<>();
    final List<Long> rowEnds = new ArrayList<>();

    Lane(String name) {
      this.name = name;
    }

    /** First-fit: the first row whose last call ended by this call's start (calls arrive by start time). */
    void place(RunReport.Call call) {
      for (int i = 0; i < rows.size(); i++) {
        if (rowEnds.get(i) <= call.startMillis()) {
          rows.get(i).add(call);
          rowEnds.set(i, call.endMillis());
          return;
        }
      }
      List<RunReport.Call> row = new ArrayList<>();
      row.add(call);
      rows.add(row);
      rowEnds.add(call.endMillis());
    }
  }

  private static double niceStep(long maxMillis) {
    double raw = maxMillis / 8.0;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * magnitude >= raw) {
        return m * magnitude;
      }
    }
    return 10 * magnitude;
  }

  private static String tickLabel(double millis, double step) {
    int decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
    return String.format(Locale.ROOT, "%." + decimals + "f s", millis / 1000.0);
  }

  private static String latency(long millis) {
    if (millis % 1000 == 0) {
      return (millis / 1000) + " s";
    }
    return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
  }

  static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
  }
}
