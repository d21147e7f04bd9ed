package dev.fanout.bench.harness;

import dev.fanout.bench.ClientKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What {@link Harness} runs: the rows and Ns, the latency, how many client processes per row and N
 * ({@code runs}) and fan-outs per process ({@code rounds}), which JVMs and Python to start, and where to
 * write. The compact constructor validates and names the bad value.
 *
 * @param maxN the largest N run per client; larger ones are skipped, extrapolated where the client's bound
 *     says how (OkHttp's default Dispatcher: 5 per host; Fanout's defaults: {@code maxInFlight} 1,024)
 * @param roundBudget a client process stops after round 2 or later once its rounds have taken this long
 * @param classpath the class path of the bench main class, given to every JVM the harness starts
 * @param python the Python interpreter for the aiohttp row, or null to skip that row
 * @param throughputDuration zero to skip the zero-latency throughput rows
 */
public record HarnessConfig(
    List<RowSpec> rows,
    List<Integer> ns,
    Duration latency,
    int runs,
    int rounds,
    Map<ClientKind, Integer> maxN,
    Duration roundBudget,
    String clientJava,
    String serverJava,
    List<String> clientJvmArgs,
    List<String> serverJvmArgs,
    String classpath,
    String python,
    int throughputConcurrency,
    Duration throughputWarmup,
    Duration throughputDuration,
    Duration processTimeout,
    Path outDir,
    String command) {

  public HarnessConfig {
    if (rows == null || rows.isEmpty()) throw new IllegalArgumentException("rows is empty: " + rows);
    if (ns == null || ns.isEmpty()) throw new IllegalArgumentException("ns is empty: " + ns);
    for (int n : ns) {
      if (n < 1) throw new IllegalArgumentException("n < 1: " + n);
    }
    if (latency == null || latency.isNegative()) throw new IllegalArgumentException("latency < 0: " + latency);
    if (runs < 1) throw new IllegalArgumentException("runs < 1: " + runs);
    if (rounds < 1) throw new IllegalArgumentException("rounds < 1: " + rounds);
    if (maxN == null) throw new IllegalArgumentException("maxN == null");
    for (Map.Entry<ClientKind, Integer> e : maxN.entrySet()) {
      if (e.getValue() == null || e.getValue() < 1) {
        throw new IllegalArgumentException("max N of " + e.getKey() + " < 1: " + e.getValue());
      }
    }
    if (roundBudget == null || roundBudget.isNegative()) {
      throw new IllegalArgumentException("roundBudget < 0: " + roundBudget);
    }
    if (clientJava == null || clientJava.isBlank()) throw new IllegalArgumentException("clientJava is blank");
    if (serverJava == null || serverJava.isBlank()) throw new IllegalArgumentException("serverJava is blank");
    if (classpath == null || classpath.isBlank()) throw new IllegalArgumentException("classpath is blank");
    if (throughputConcurrency < 1) {
      throw new IllegalArgumentException("throughputConcurrency < 1: " + throughputConcurrency);
    }
    if (throughputDuration == null || throughputDuration.isNegative()) {
      throw new IllegalArgumentException("throughputDuration < 0: " + throughputDuration);
    }
    if (throughputWarmup == null || throughputWarmup.isNegative()) {
      throw new IllegalArgumentException("throughputWarmup < 0: " + throughputWarmup);
    }
    if (processTimeout == null || processTimeout.isNegative() || processTimeout.isZero()) {
      throw new IllegalArgumentException("processTimeout <= 0: " + processTimeout);
    }
    if (outDir == null) throw new IllegalArgumentException("outDir == null");
    maxN = Map.copyOf(maxN);
    rows = List.copyOf(rows);
    ns = List.copyOf(ns);
    clientJvmArgs = List.copyOf(clientJvmArgs);
    serverJvmArgs = List.copyOf(serverJvmArgs);
  }
}
