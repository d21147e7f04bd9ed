package dev.fanout.bench.harness;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What one benchmark run measured, as written to {@code bench.json}: the machine, the configuration and
 * command, one {@link Row} per client, engine and N, and the zero-latency {@link Throughput} rows.
 */
public record BenchReport(
    String startedAt,
    double durationS,
    String command,
    Machine machine,
    Settings settings,
    List<Row> rows,
    List<Throughput> throughput,
    List<String> notes) {

  /** The machine the run took place on, and the load it carried before and after. */
  public record Machine(
      int nproc, double memoryGib, String cpuModel, String os, String clientJava, String serverJava,
      String python, String loadBefore, String loadAfter) {}

  /** The run's settings. */
  public record Settings(
      List<Integer> ns, long latencyMs, int runs, int rounds, Map<String, Integer> maxN, long roundBudgetMs,
      List<String> rows,
      List<String> clientJvmArgs, List<String> serverJvmArgs) {}

  /** A median with its spread (minimum and maximum) over the runs. */
  public record Spread(double median, double min, double max) {
    /** The median, minimum and maximum of {@code values}, or null when there are none. */
    public static Spread of(List<Double> values) {
      if (values.isEmpty()) return null;
      return new Spread(round(median(values, Double::doubleValue)), round(Collections.min(values)),
          round(Collections.max(values)));
    }

    /** The median of {@code f} over {@code xs} (the mean of the middle two for an even count); NaN for none. */
    public static <T> double median(List<T> xs, ToDoubleFunction<? super T> f) {
      double[] v = xs.stream().mapToDouble(f).sorted().toArray();
      if (v.length == 0) return Double.NaN;
      int m = v.length / 2;
      return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /** This spread with {@code d} subtracted from each figure. */
    public Spread minus(double d) {
      return new Spread(round(median - d), round(min - d), round(max - d));
    }

    private static double round(double x) {
      return Math.round(x * 100) / 100.0;
    }
  }

  /**
   * One client process: the wall time of each of its rounds (round 1 cold, the last warm), failures over
   * all rounds, and its process figures. {@code peakPlatformThreads} is the JVM's own peak count of
   * platform threads (-1 for Python); {@code peakOsThreads} is sampled from {@code /proc}.
   */
  public record Run(
      List<Double> roundsMs, int failures, int peakPlatformThreads, int peakOsThreads,
      double peakRssMib, double cpuS, Double primeMs, String runtime) {}

  /**
   * One client against one engine at one N. Cold is round 1 of each client process, warm the last round;
   * overheads are wall time minus the latency. A row that was not run has {@code skipped} set and says why
   * in {@code note} ({@code extrapolatedWallMs} when it can be computed). {@code serverCpuSPerRun} is the
   * backend's CPU time (start-up included) divided by the number of client processes it served.
   */
  public record Row(
      String client, String title, String engine, String protocol, int n, long latencyMs, boolean primed,
      boolean skipped, String note, Double extrapolatedWallMs, Spread coldMs, Spread warmMs,
      Spread coldOverheadMs, Spread warmOverheadMs, int failures, int calls, int peakPlatformThreads,
      int peakOsThreads, double peakRssMib, Spread cpuS, int serverPeakThreads, double serverPeakRssMib,
      long serverMaxInFlight, double serverCpuSPerRun, List<Run> runs) {}

  /** Zero-latency throughput: requests per second with {@code concurrency} in flight. */
  public record Throughput(
      String client, String engine, String protocol, int concurrency, long durationMs, Spread requestsPerSecond,
      long failures, int peakPlatformThreads, double cpuS, List<Double> runs) {}
}
