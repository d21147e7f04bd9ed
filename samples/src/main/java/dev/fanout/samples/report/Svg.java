package dev.fanout.samples.report;

import java.util.Locale;

/** The pieces every chart here draws alike: the document's opening tag, its white background, grid lines, escaping. */
final class Svg {
  static final String FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";

  private Svg() {}

  /** The {@code <svg>} opening tag of a {@code width} by {@code height} chart in {@link #FONT}. */
  static String open(int width, int height) {
    return String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"%s\">%n",
        width, height, width, height, FONT);
  }

  /** A white rectangle behind the whole chart. */
  static String background(int width, int height) {
    return String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height);
  }

  /** A vertical grid line of the time axis at {@code x}: solid at {@code origin}, dashed elsewhere. */
  static String gridLine(double x, int top, int bottom, boolean origin) {
    return String.format(Locale.ROOT,
        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e4e7eb\" stroke-width=\"1\"%s/>%n",
        x, top, x, bottom, origin ? "" : " stroke-dasharray=\"3 4\"");
  }

  /** {@code s} escaped for XML text and attribute values. */
  static String esc(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
