package dev.fanout.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.FanoutClientSpec;
import dev.fanout.GovernorPolicy;
import dev.fanout.HedgePolicy;
import dev.fanout.RetryPolicy;
import dev.fanout.VirtualThreads;
import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FanoutAsyncConfigTest {
  private static final FanoutClientSpec LOCAL = FanoutClientSpec.builder().baseUrl("http://localhost:8080").build();

  @Test
  void defaults() {
    FanoutAsyncConfig c = FanoutAsyncConfig.builder().spec(LOCAL).build();
    assertThat(c.capacity()).as("one number: the spec's maxInFlight").isEqualTo(LOCAL.maxInFlight());
    assertThat(c.timeout()).isEqualTo(FanoutAsyncConfig.DEFAULT_TIMEOUT);
    assertThat(c.totalTimeout()).isEqualTo(Duration.ofSeconds(27)); // 0.9 of 30 s
    assertThat(c.spec().totalTimeout()).isEqualTo(Duration.ofSeconds(27));
    assertThat(c.ordered()).isFalse();
    assertThat(c.apiKeyEnv()).isNull();
    assertThat(c.spec().retryPolicy().maxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
  }

  @Test
  void badValuesAreNamed() {
    FanoutAsyncConfig.Builder b = FanoutAsyncConfig.builder();
    assertThatThrownBy(() -> b.capacity(-1)).isInstanceOf(IllegalArgumentException.class).hasMessage("capacity < 0: -1");
    assertThatThrownBy(() -> b.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessage("timeout < 1 ms: PT0S");
    assertThatThrownBy(() -> b.apiKeyEnv("A=B")).hasMessageContaining("A=B");
    assertThatThrownBy(() -> b.spec(null)).hasMessage("spec == null");
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("spec == null");
    assertThatThrownBy(() -> b.spec(LOCAL).capacity(LOCAL.maxInFlight() + 1).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("capacity > the spec's maxInFlight: " + (LOCAL.maxInFlight() + 1) + " > " + LOCAL.maxInFlight());
    assertThatThrownBy(() -> FanoutAsyncConfig.builder()
            .spec(LOCAL.newBuilder().apiKey("sk-in-the-graph").build()).apiKeyEnv("KEY").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apiKeyEnv")
        .hasMessageNotContaining("sk-in-the-graph");
  }

  @Test
  void theSdkTotalTimeoutMustEndBeforeFlinksTimeout() {
    FanoutAsyncConfig.Builder b = FanoutAsyncConfig.builder()
        .spec(LOCAL.newBuilder().totalTimeout(Duration.ofSeconds(10)).build())
        .timeout(Duration.ofSeconds(10));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("totalTimeout >= timeout: PT10S >= PT10S");
    assertThat(b.spec(LOCAL.newBuilder().totalTimeout(Duration.ofSeconds(9)).build()).build().totalTimeout())
        .isEqualTo(Duration.ofSeconds(9));
    assertThat(b.spec(LOCAL).timeout(Duration.ofSeconds(2)).build().totalTimeout()).isEqualTo(Duration.ofMillis(1800));
  }

  @Test
  void newBuilderDerivesTheCallTimeoutAndCapacityAgain() {
    FanoutAsyncConfig c = FanoutAsyncConfig.builder().spec(LOCAL).timeout(Duration.ofSeconds(10)).build();
    FanoutAsyncConfig longer = c.newBuilder().timeout(Duration.ofSeconds(20)).build();
    assertThat(longer.totalTimeout()).isEqualTo(Duration.ofSeconds(18));
    FanoutAsyncConfig wider = c.newBuilder().spec(LOCAL.newBuilder().maxInFlight(500).build()).build();
    assertThat(wider.capacity()).isEqualTo(500);
    assertThat(c.newBuilder().capacity(7).build().capacity()).isEqualTo(7);
  }

  /** Every option of the client travels through the job graph: none is re-declared or dropped here. */
  @Test
  void survivesSerializationAndBuildsTheClientItDescribes() throws Exception {
    RetryPolicy retry = RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(20))
        .maxBackoff(Duration.ofSeconds(1)).multiplier(3).jitter(0.1).retryAfterCap(Duration.ofSeconds(7)).build();
    FanoutClientSpec spec = FanoutClientSpec.builder()
        .baseUrl("http://localhost:8080/api")
        .apiKey("sk-secret")
        .maxInFlight(42)
        .retryPolicy(retry)
        .http2PriorKnowledge(true)
        .virtualThreads(VirtualThreads.OFF)
        .attemptTimeout(Duration.ofSeconds(3))
        .maxResponseBytes(1234)
        .governor(GovernorPolicy.defaults())
        .hedging(HedgePolicy.fixed(Duration.ofMillis(250)))
        .keepAlive(Duration.ofSeconds(30))
        .build();
    FanoutAsyncConfig c = InstantiationUtil.clone(FanoutAsyncConfig.builder()
        .spec(spec).capacity(40).ordered(true).build());

    assertThat(c.ordered()).isTrue();
    assertThat(c.capacity()).isEqualTo(40);
    assertThat(c.toString()).doesNotContain("sk-secret");
    FanoutClientSpec back = c.spec();
    assertThat(back.retryPolicy()).hasToString(retry.toString());
    assertThat(back.http2PriorKnowledge()).isTrue();
    assertThat(back.virtualThreads()).isEqualTo(VirtualThreads.OFF);
    assertThat(back.attemptTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(back.maxResponseBytes()).isEqualTo(1234);
    assertThat(back.governor().enabled()).isTrue();
    assertThat(back.hedging()).hasToString(HedgePolicy.fixed(Duration.ofMillis(250)).toString());
    assertThat(back.keepAlive()).isEqualTo(Duration.ofSeconds(30));
    try (FanoutClient client = c.newClient()) {
      assertThat(client.maxInFlight()).isEqualTo(42);
      assertThat(client.baseUrl()).hasToString("http://localhost:8080/api/");
      assertThat(client.usesVirtualThreads()).isFalse();
      assertThat(client.httpClient().protocols()).containsExactly(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE);
      assertThat(client.spec().toString()).isEqualTo(back.toString());
    }
  }

  @Test
  void anApiKeyFromAMissingVariableFailsOnTheTaskManager() {
    FanoutAsyncConfig c = FanoutAsyncConfig.builder()
        .spec(LOCAL)
        .apiKeyEnv("FANOUT_TEST_VARIABLE_THAT_IS_NOT_SET")
        .build();
    assertThat(c.toString()).contains("$FANOUT_TEST_VARIABLE_THAT_IS_NOT_SET");
    assertThatThrownBy(c::newClient)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FANOUT_TEST_VARIABLE_THAT_IS_NOT_SET");
  }
}
