package dev.fanout.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import java.time.Duration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FanoutAsyncConfigTest {

  @Test
  void defaults() {
    FanoutAsyncConfig c = FanoutAsyncConfig.builder().baseUrl("http://localhost:8080").build();
    assertThat(c.maxInFlight()).isEqualTo(FanoutAsyncConfig.DEFAULT_MAX_IN_FLIGHT).isEqualTo(100);
    assertThat(c.timeout()).isEqualTo(FanoutAsyncConfig.DEFAULT_TIMEOUT);
    assertThat(c.totalTimeout()).isEqualTo(Duration.ofSeconds(27)); // 0.9 of 30 s
    assertThat(c.ordered()).isFalse();
    assertThat(c.retryPolicy().maxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
  }

  @Test
  void badValuesAreNamed() {
    FanoutAsyncConfig.Builder b = FanoutAsyncConfig.builder();
    assertThatThrownBy(() -> b.maxInFlight(0)).isInstanceOf(IllegalArgumentException.class).hasMessage("maxInFlight < 1: 0");
    assertThatThrownBy(() -> b.timeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessage("timeout < 1 ms: PT0S");
    assertThatThrownBy(() -> b.totalTimeout(Duration.ofSeconds(-1))).hasMessage("totalTimeout <= 0: PT-1S");
    assertThatThrownBy(() -> b.baseUrl("ftp://x")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://x");
    assertThatThrownBy(() -> b.baseUrl(null)).hasMessage("baseUrl == null");
    assertThatThrownBy(() -> b.apiKeyEnv("A=B")).hasMessageContaining("A=B");
    assertThatThrownBy(() -> b.retryPolicy(null)).hasMessage("retryPolicy == null");
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("baseUrl == null");
  }

  @Test
  void theSdkTotalTimeoutMustEndBeforeFlinksTimeout() {
    FanoutAsyncConfig.Builder b = FanoutAsyncConfig.builder()
        .baseUrl("http://localhost:8080")
        .timeout(Duration.ofSeconds(10))
        .totalTimeout(Duration.ofSeconds(10));
    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("totalTimeout >= timeout: PT10S >= PT10S");
    assertThat(b.totalTimeout(Duration.ofSeconds(9)).build().totalTimeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(b.totalTimeout(null).timeout(Duration.ofSeconds(2)).build().totalTimeout())
        .isEqualTo(Duration.ofMillis(1800));
  }

  @Test
  void survivesSerializationAndBuildsTheClientItDescribes() throws Exception {
    RetryPolicy retry = RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(20))
        .maxBackoff(Duration.ofSeconds(1)).multiplier(3).jitter(0.1).retryAfterCap(Duration.ofSeconds(7)).build();
    FanoutAsyncConfig c = InstantiationUtil.clone(FanoutAsyncConfig.builder()
        .baseUrl("http://localhost:8080/api")
        .apiKey("sk-secret")
        .maxInFlight(42)
        .ordered(true)
        .retryPolicy(retry)
        .build());

    assertThat(c.retryPolicy()).hasToString(retry.toString());
    assertThat(c.ordered()).isTrue();
    assertThat(c.toString()).doesNotContain("sk-secret");
    try (FanoutClient client = c.newClient()) {
      assertThat(client.maxInFlight()).isEqualTo(42);
      assertThat(client.baseUrl()).hasToString("http://localhost:8080/api/");
      assertThat(client.retryPolicy().maxAttempts()).isEqualTo(5);
    }
  }

  @Test
  void anApiKeyFromAMissingVariableFailsOnTheTaskManager() {
    FanoutAsyncConfig c = FanoutAsyncConfig.builder()
        .baseUrl("http://localhost:8080")
        .apiKeyEnv("FANOUT_TEST_VARIABLE_THAT_IS_NOT_SET")
        .build();
    assertThat(c.toString()).contains("$FANOUT_TEST_VARIABLE_THAT_IS_NOT_SET");
    assertThatThrownBy(c::newClient)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("FANOUT_TEST_VARIABLE_THAT_IS_NOT_SET");
  }
}
