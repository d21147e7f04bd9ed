package dev.fanout.flink.samples;

import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import java.time.Duration;
import org.apache.flink.util.ParameterTool;

/**
 * A local run of {@link EnrichUsersJob}: a MiniCluster in this JVM against an embedded simulated backend
 * (50 ms per call, 10% 5xx). It lives in the test sources so that the job jar never carries the simulated
 * backend (MockWebServer, Netty, picocli):
 * <pre>
 * ./mvnw -q -pl flink-samples -am test-compile exec:exec -Dflink.job.args="--ids 2000 --parallelism 2"
 * </pre>
 * Every option of the job applies; {@code --base-url} is the embedded backend's.
 */
public final class EnrichUsersLocally {
  private EnrichUsersLocally() {}

  public static void main(String[] args) throws Exception {
    int status;
    try (MockBackend embedded = MockBackend.builder()
        .latency(Latency.fixed(Duration.ofMillis(50)))
        .faults(Faults.builder().errorRate(0.1).build())
        .recordedRequests(0)
        .start()) {
      System.out.println("Embedded simulated backend at " + embedded.url() + " (50 ms per call, 10% 5xx)");
      ParameterTool params = ParameterTool.fromArgs(args)
          .mergeWith(ParameterTool.fromArgs(new String[] {"--base-url", embedded.url()}));
      status = EnrichUsersJob.run(params, System.out);
      System.out.println("Backend: " + embedded.stats());
    }
    System.exit(status);
  }
}
