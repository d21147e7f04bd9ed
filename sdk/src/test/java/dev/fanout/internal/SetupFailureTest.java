package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.errors.ConnectionSetupException.Reason;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which answers of a proxy to {@code CONNECT} fail a call at once, and as what (OkHttp's words as it says them). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SetupFailureTest {
  @ParameterizedTest(name = "CONNECT answered {0}: {1}")
  @CsvSource(nullValues = "retryable", value = {
      "401, PROXY_AUTHENTICATION", "407, PROXY_AUTHENTICATION", "403, PROXY_DENIED", "400, PROXY_DENIED",
      "404, PROXY_DENIED", "408, retryable", "429, retryable", "500, retryable", "502, retryable",
      "503, retryable"})
  void aProxysAnswerToConnect(int code, Reason expected) {
    IOException okHttp = new IOException("Unexpected response code for CONNECT: " + code);
    assertThat(Exchange.setupFailure(okHttp)).isEqualTo(expected);
    // the way calls that waited for a host's first connection fail: with its failure as the cause
    assertThat(Exchange.setupFailure(new IOException("connecting failed for an earlier call", okHttp)))
        .isEqualTo(expected);
  }
}
