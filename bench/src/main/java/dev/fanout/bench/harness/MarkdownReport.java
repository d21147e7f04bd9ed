package dev.fanout.bench.harness;

import dev.fanout.bench.Markdown;
import dev.fanout.bench.harness.BenchReport.Row;
import dev.fanout.bench.harness.BenchReport.Spread;
import dev.fanout.bench.harness.BenchReport.Throughput;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes a {@link BenchReport} as Markdown tables, one row per client, engine and N. */
public final class MarkdownReport {
  private MarkdownReport() {}

  /** The report as Markdown: machine, command, the fan-out table, the throughput table, notes. */
  public static String render(BenchReport r) {
    StringBuilder s = new StringBuilder();
    BenchReport.Machine m = r.machine();
    s.append("Run ").append(r.startedAt()).append(", ").append(fmt1(r.durationS())).append(" s of wall time.\n\n");
    s.append("- Machine: ").append(m.nproc()).append(" CPUs (").append(m.cpuModel()).append("), ")
        .append(fmt1(m.memoryGib())).append(" GiB, ").append(m.os()).append('\n');
    s.append("- Load average before / after: ").append(m.loadBefore()).append(" / ").append(m.loadAfter()).append('\n');
    s.append("- Client JVM: ").append(m.clientJava()).append("; backend JVM: ").append(m.serverJava()).append('\n');
    s.append("- Python: ").append(m.python() == null ? "not available" : m.python()).append('\n');
    BenchReport.Settings st = r.settings();
    s.append("- Latency ").append(st.latencyMs()).append(" ms; ").append(st.runs())
        .append(" client processes per row and N, ").append(st.rounds())
        .append(" fan-outs each (cold = round 1, warm = round ").append(st.rounds())
        .append(", or round 2 where the rounds passed the ").append(st.roundBudgetMs() / 1000)
        .append(" s budget); N capped per client: ").append(st.maxN()).append('\n');
    s.append("- Command: `").append(r.command()).append("`\n\n");

    s.append("| Client | Engine | Proto | N | Cold wall s, median (min–max) | Warm wall s, median (min–max) "
        + "| Warm overhead ms | Failures | Client threads: platform / OS | Client RSS MiB | Client CPU s "
        + "| Backend threads / RSS MiB / max in flight / CPU s per run |\n");
    s.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    List<String> skipped = new ArrayList<>();
    List<String> notes = new ArrayList<>(r.notes());
    for (Row row : r.rows()) {
      if (!row.skipped() && row.note() != null) notes.add(row.title() + " at N=" + row.n() + ": " + row.note());
      s.append("| ").append(row.title()).append(row.primed() ? " (primed)" : "")
          .append(" | ").append(row.engine()).append(" | ").append(row.protocol())
          .append(" | ").append(String.format(Locale.ROOT, "%,d", row.n())).append(" | ");
      if (row.skipped()) {
        String cell = row.extrapolatedWallMs() == null ? "not run"
            : "≈ " + fmt0(row.extrapolatedWallMs() / 1000.0) + ", extrapolated";
        s.append(cell).append(" [").append(skipped.size() + 1).append("] | ").append(cell)
            .append(" | — | — | — | — | — | — |\n");
        skipped.add(row.title() + " at N=" + String.format(Locale.ROOT, "%,d", row.n()) + ": " + row.note());
        continue;
      }
      s.append(seconds(row.coldMs())).append(" | ").append(seconds(row.warmMs())).append(" | ")
          .append(row.warmOverheadMs() == null ? "—" : fmt0(row.warmOverheadMs().median())).append(" | ")
          .append(row.failures()).append(" / ").append(String.format(Locale.ROOT, "%,d", row.calls())).append(" | ")
          .append(row.peakPlatformThreads() < 0 ? "—" : Integer.toString(row.peakPlatformThreads()))
          .append(" / ").append(row.peakOsThreads()).append(" | ")
          .append(fmt0(row.peakRssMib())).append(" | ")
          .append(row.cpuS() == null ? "—" : fmt2(row.cpuS().median())).append(" | ")
          .append(row.serverPeakThreads()).append(" / ").append(fmt0(row.serverPeakRssMib())).append(" / ")
          .append(row.serverMaxInFlight() < 0 ? "—" : Long.toString(row.serverMaxInFlight())).append(" / ")
          .append(fmt1(row.serverCpuSPerRun())).append(" |\n");
    }
    if (!skipped.isEmpty()) {
      s.append('\n');
      for (int i = 0; i < skipped.size(); i++) s.append(i + 1).append(". ").append(skipped.get(i)).append('\n');
    }
    s.append("\nTargets (Fanout, 1 s latency):\n\n").append(targets(r));
    if (!r.throughput().isEmpty()) {
      s.append("\nZero-latency throughput (").append(st.runs()).append(" client processes each):\n\n");
      s.append("| Client | Engine | Proto | In flight | Requests/s, median (min–max) | Failures "
          + "| Client platform threads | Client CPU s |\n");
      s.append("|---|---|---|--:|--:|--:|--:|--:|\n");
      for (Throughput t : r.throughput()) {
        s.append("| ").append(t.client()).append(" | ").append(t.engine()).append(" | ").append(t.protocol())
            .append(" | ").append(t.concurrency()).append(" | ")
            .append(String.format(Locale.ROOT, "%,.0f (%,.0f–%,.0f)", t.requestsPerSecond().median(),
                t.requestsPerSecond().min(), t.requestsPerSecond().max()))
            .append(" | ").append(t.failures()).append(" | ").append(t.peakPlatformThreads())
            .append(" | ").append(fmt2(t.cpuS())).append(" |\n");
      }
    }
    if (!notes.isEmpty()) {
      Markdown.appendNotes(s, notes);
    }
    return s.toString();
  }

  /**
   * The targets for Fanout, each with what this run measured (median, and the worst run) and whether
   * it was met: wall-time targets on the {@code fanout-h2c} rows of every engine (cold ones also on the
   * {@code +aot} row), threads on the scale engine, throughput on both protocols. Targets whose row was not
   * run are left out.
   */
  public static String targets(BenchReport r) {
    StringBuilder s = new StringBuilder();
    s.append("| Target | Row | Measured: median (worst run) | Met? |\n|---|---|--:|---|\n");
    Object[][] warm = {{6, 1.05}, {1000, 1.5}, {10000, 2.5}};
    for (Object[] t : warm) target(s, r, "fanout-h2c", (int) t[0], false, (double) t[1]);
    Object[][] cold = {{1000, 2.0}, {10000, 5.0}};
    for (String client : new String[] {"fanout-h2c", "fanout-h2c+aot"}) {
      for (Object[] t : cold) target(s, r, client, (int) t[0], true, (double) t[1]);
    }
    for (Row row : r.rows()) {
      if (row.client().equals("fanout-h2c") && row.engine().equals("netty") && row.n() == 10000 && !row.skipped()) {
        boolean ok = row.peakPlatformThreads() <= 200 && row.failures() == 0;
        s.append(String.format(Locale.ROOT, "| N=10,000: ≤ 200 client platform threads, zero failures | %s @ %s "
            + "| %d platform threads, %d failures | %s |\n", row.client(), row.engine(), row.peakPlatformThreads(),
            row.failures(), ok ? "yes" : "**no**"));
      }
    }
    for (Throughput t : r.throughput()) {
      double median = t.requestsPerSecond().median();
      s.append(String.format(Locale.ROOT, "| zero-latency throughput ≥ 10,000 requests/s (%s) | %s @ %s "
          + "| %,.0f/s (%,.0f/s) | %s |\n", t.protocol(), t.client(), t.engine(), median, t.requestsPerSecond().min(),
          median >= 10_000 ? (t.requestsPerSecond().min() >= 10_000 ? "yes" : "yes (median; not every run)")
              : String.format(Locale.ROOT, "**no**: %.0f%% short", 100 * (1 - median / 10_000))));
    }
    return s.toString();
  }

  private static void target(StringBuilder s, BenchReport r, String client, int n, boolean cold, double limitS) {
    for (Row row : r.rows()) {
      if (!row.client().equals(client) || row.n() != n || row.skipped()) continue;
      Spread sp = cold ? row.coldMs() : row.warmMs();
      if (sp == null) continue;
      double median = sp.median() / 1000;
      double worst = sp.max() / 1000;
      String met = median <= limitS ? (worst <= limitS ? "yes" : "yes (median; not every run)")
          : String.format(Locale.ROOT, "**no**: %.0f ms over", (median - limitS) * 1000);
      s.append(String.format(Locale.ROOT, "| N=%,d %s ≤ %.2f s | %s @ %s | %.3f s (%.3f s) | %s |\n", n,
          cold ? "cold" : "warm", limitS, client, row.engine(), median, worst, met));
    }
  }

  private static String seconds(Spread ms) {
    if (ms == null) return "—";
    return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", ms.median() / 1000, ms.min() / 1000, ms.max() / 1000);
  }

  private static String fmt0(double x) {
    return String.format(Locale.ROOT, "%.0f", x);
  }

  private static String fmt1(double x) {
    return String.format(Locale.ROOT, "%.1f", x);
  }

  private static String fmt2(double x) {
    return String.format(Locale.ROOT, "%.2f", x);
  }
}
