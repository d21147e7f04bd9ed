package dev.fanout.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.jobs.internal.Ceiling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CeilingTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void requestCeilingAdmitsOneSecondsWorthThenPaces() {
    Ceiling c = new Ceiling(600, 0); // 10 a second
    long now = 0;
    for (int i = 0; i < 10; i++) {
      assertThat(c.reserve(now, 0)).isZero();
    }
    assertThat(c.reserve(now, 0)).isEqualTo(SECOND / 10);
    assertThat(c.reserve(now, 0)).isEqualTo(2 * SECOND / 10);
    now += SECOND; // the waits above were taken; one more second refills ten, two of them owed
    for (int i = 0; i < 8; i++) {
      assertThat(c.reserve(now, 0)).isZero();
    }
    assertThat(c.reserve(now, 0)).isPositive();
  }

  @Test
  void tokenCeilingChargesEachRequestsEstimate() {
    Ceiling c = new Ceiling(0, 6000); // 100 tokens a second
    assertThat(c.reserve(0, 60)).isZero();
    assertThat(c.reserve(0, 60)).isEqualTo(SECOND / 5); // 20 tokens short at 100/s
    assertThat(new Ceiling(0, 0).unlimited()).isTrue();
  }

  @Test
  void estimateIsTextOverFourPlusMaxTokens() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putArray("messages").addObject().put("role", "user").put("content", "x".repeat(40));
    body.put("max_tokens", 16);
    assertThat(Ceiling.estimateTokens(body)).isEqualTo(10 + 1 + 16); // "user" counts too
    assertThat(Ceiling.estimateTokens(null)).isZero();
  }
}
