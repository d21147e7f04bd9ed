package dev.fanout.bench.harness;

import dev.fanout.bench.harness.BenchReport.Row;
import dev.fanout.bench.harness.BenchReport.Spread;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Draws wall time against N, one line per client and engine, on log–log axes: a panel for cold (round 1)
 * and one for warm (last round), with the min–max spread as a bar and extrapolated figures dashed.
 */
public final class SvgPlot {
  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"
  };
  private static final int PANEL_W = 430;
  private static final int PANEL_H = 320;
  private static final int LEFT = 60;
  private static final int TOP = 40;
  private static final int GAP = 70;

  private SvgPlot() {}

  /** The SVG document for {@code report}. */
  public static String render(BenchReport report) {
    Map<String, List<Row>> series = new LinkedHashMap<>();
    for (Row row : report.rows()) {
      series.computeIfAbsent(row.title() + " @ " + row.engine(), k -> new ArrayList<>()).add(row);
    }
    double minN = Double.MAX_VALUE;
    double maxN = 1;
    double maxS = 1;
    double minS = Double.MAX_VALUE;
    for (Row row : report.rows()) {
      minN = Math.min(minN, row.n());
      maxN = Math.max(maxN, row.n());
      for (Double ms : values(row)) {
        maxS = Math.max(maxS, ms / 1000);
        minS = Math.min(minS, ms / 1000);
      }
    }
    if (minS == Double.MAX_VALUE) minS = 0.1;
    double latencyS = report.settings().latencyMs() / 1000.0;
    if (latencyS > 0) minS = Math.min(minS, latencyS);
    Axis x = new Axis(Math.floor(Math.log10(minN)), Math.ceil(Math.log10(Math.max(maxN, minN * 10))));
    Axis y = new Axis(Math.log10(minS * 0.8), Math.ceil(Math.log10(maxS * 1.1)));
    int legendH = 18 * series.size() + 10;
    int width = LEFT + 2 * PANEL_W + GAP + 20;
    int height = TOP + PANEL_H + 50 + legendH;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    panel(s, "Cold: round 1 of a fresh client process", LEFT, x, y, series, Row::coldMs, latencyS);
    panel(s, "Warm: last round in the same process", LEFT + PANEL_W + GAP, x, y, series, Row::warmMs, latencyS);
    int ly = TOP + PANEL_H + 45;
    int i = 0;
    for (String name : series.keySet()) {
      String color = COLORS[i++ % COLORS.length];
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
          + "stroke-width=\"2.5\"/><text x=\"%d\" y=\"%d\">%s</text>%n", LEFT, ly - 4, LEFT + 24, ly - 4, color,
          LEFT + 30, ly, escape(name)));
      ly += 18;
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#555\">dashed: extrapolated, not run; "
        + "bars: min–max of the runs; grey line: the latency (the ideal)</text>%n", LEFT + 330, TOP + PANEL_H + 45));
    s.append("</svg>\n");
    return s.toString();
  }

  private static void panel(StringBuilder s, String title, int x0, Axis x, Axis y, Map<String, List<Row>> series,
      Function<Row, Spread> pick, double latencyS) {
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
        x0, TOP - 15, escape(title)));
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#333\"/>%n", x0, TOP, PANEL_W, PANEL_H));
    for (double e = x.lo; e <= x.hi; e++) {
      double px = x0 + x.frac(Math.pow(10, e)) * PANEL_W;
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
          + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP, px, TOP + PANEL_H, px,
          TOP + PANEL_H + 16, String.format(Locale.ROOT, "%,.0f", Math.pow(10, e))));
    }
    for (double e = Math.floor(y.lo); e <= y.hi; e++) {
      for (int k : new int[] {1, 2, 5}) {
        double v = k * Math.pow(10, e);
        if (Math.log10(v) > y.hi + 1e-9 || Math.log10(v) < y.lo - 1e-9) continue;
        double py = TOP + (1 - y.frac(v)) * PANEL_H;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>"
            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s s</text>%n", x0, py, x0 + PANEL_W, py,
            k == 1 ? "#ccc" : "#eee", x0 - 5, py + 4, trim(v)));
      }
    }
    if (latencyS > 0) {
      double py = TOP + (1 - y.frac(latencyS)) * PANEL_H;
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\" "
          + "stroke-width=\"1.5\"/>%n", x0, py, x0 + PANEL_W, py));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">N (calls in the fan-out)"
        + "</text>%n", x0 + PANEL_W / 2, TOP + PANEL_H + 32));
    int i = 0;
    for (List<Row> rows : series.values()) {
      String color = COLORS[i++ % COLORS.length];
      StringBuilder solid = new StringBuilder();
      StringBuilder dashed = new StringBuilder();
      String last = null;
      for (Row row : rows) {
        Spread sp = pick.apply(row);
        double seconds;
        boolean extrapolated = false;
        if (sp != null) {
          seconds = sp.median() / 1000;
        } else if (row.extrapolatedWallMs() != null) {
          seconds = row.extrapolatedWallMs() / 1000;
          extrapolated = true;
        } else {
          continue;
        }
        double px = x0 + x.frac(row.n()) * PANEL_W;
        double py = TOP + (1 - y.frac(seconds)) * PANEL_H;
        if (py < TOP) {
          // Above the measured range (an extrapolation): pinned to the top edge with its value.
          s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" fill=\"%s\" "
              + "font-size=\"11\">≈%,.0f s ↑</text>%n", px - 5, TOP + 12 + 12 * (i - 1) % 36, color, seconds));
          py = TOP;
        }
        String point = String.format(Locale.ROOT, "%.1f,%.1f ", px, py);
        if (extrapolated) {
          if (dashed.length() == 0 && last != null) dashed.append(last);
          dashed.append(point);
          s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"white\" "
              + "stroke=\"%s\"/>%n", px, py, color));
        } else {
          solid.append(point);
          s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n",
              px, py, color));
          double y1 = TOP + (1 - y.frac(sp.min() / 1000)) * PANEL_H;
          double y2 = TOP + (1 - y.frac(sp.max() / 1000)) * PANEL_H;
          s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
              + "stroke=\"%s\" stroke-width=\"1\"/>%n", px, y1, px, y2, color));
        }
        last = point;
      }
      if (solid.length() > 0) {
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
            + "stroke-width=\"2.5\"/>%n", solid.toString().trim(), color));
      }
      if (dashed.length() > 0) {
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
            + "stroke-width=\"2\" stroke-dasharray=\"6,4\"/>%n", dashed.toString().trim(), color));
      }
    }
  }

  private static List<Double> values(Row row) {
    List<Double> v = new ArrayList<>();
    for (Spread sp : new Spread[] {row.coldMs(), row.warmMs()}) {
      if (sp != null) {
        v.add(sp.min());
        v.add(sp.max());
      }
    }
    return v;
  }

  private static String trim(double v) {
    return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v).replaceAll("0+$", "");
  }

  private static String escape(String t) {
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** A log10 axis from 10^lo to 10^hi. */
  private record Axis(double lo, double hi) {
    double frac(double v) {
      return (Math.log10(v) - lo) / Math.max(1e-9, hi - lo);
    }
  }
}
