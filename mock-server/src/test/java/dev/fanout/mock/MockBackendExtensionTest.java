package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MockBackendExtensionTest {
  @RegisterExtension
  static MockBackendExtension backend = MockBackendExtension.builder()
      .latency(Latency.fixed(Duration.ofMillis(20)))
      .build();

  static final OkHttpClient client = Http.client(8);

  @AfterAll
  static void tearDown() {
    Http.shutdown(client);
  }

  @Test
  void injectsTheStartedBackend(MockBackend server) throws IOException {
    assertThat(server).isSameAs(backend.backend());
    assertThat(server.latency().delay()).isEqualTo(Duration.ofMillis(20));
    assertThat(Http.get(client, backend.url() + "/users/3").code()).isEqualTo(200);
    assertThat(backend.stats().requests(Routes.USERS)).isEqualTo(1);
  }

  @RepeatedTest(2)
  void statsAreResetBeforeEachTest() throws IOException {
    assertThat(backend.stats().totalRequests()).isZero();
    Http.get(client, backend.url() + "/users/1");
    Http.get(client, backend.url() + "/users/2");
    assertThat(backend.stats().requests(Routes.USERS)).isEqualTo(2);
  }
}
