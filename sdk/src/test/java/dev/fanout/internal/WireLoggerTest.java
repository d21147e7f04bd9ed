package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClient;
import dev.fanout.WireLog;
import dev.fanout.testing.FakeClock;
import dev.fanout.testsupport.Responses;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link WireLogger} times each exchange on the client's clock, as every other timing of a call is. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class WireLoggerTest {

  @Test
  void theWireLogTimesAnExchangeOnTheClientsClock() throws Exception {
    FakeClock clock = FakeClock.create();
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          if (!"/users/7".equals(request.getUrl().encodedPath())) {
            return new MockResponse.Builder().code(404).build();
          }
          clock.advance(Duration.ofMillis(1234)); // the server takes 1.234 s on the client's clock
          return Responses.user(7);
        }
      });
      server.start(InetAddress.getLoopbackAddress(), 0);
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).clock(clock)
          .wireLog(WireLog.HEADERS).build()) {
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        assertThat(client.users().get(7).id()).isEqualTo(7);
      } finally {
        System.setErr(originalErr);
      }
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).contains("<-- 200 GET /users/7 (1234 ms)");
  }
}
