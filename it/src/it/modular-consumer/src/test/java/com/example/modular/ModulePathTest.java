package com.example.modular;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutClient;
import dev.fanout.langchain4j.FanoutChatModel;
import dev.fanout.mock.Engine;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackendExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The user's module runs on the module path: the SDK and the adapter resolve by their module names and work, the
 * Messages API (its own exported package) included.
 */
@Timeout(60)
class ModulePathTest {
  // MockWebServer, the mock's default engine, uses OkHttp internals that OkHttp's module does not export: on the
  // module path the mock runs on Netty.
  @RegisterExtension
  static MockBackendExtension backend = MockBackendExtension.builder()
      .engine(Engine.NETTY)
      .latency(Latency.fixed(Duration.ofMillis(10)))
      .build();

  @Test
  void theSdkAndTheAdapterAreNamedModulesThatWork() {
    assertThat(Lookups.class.getModule().getName()).isEqualTo("com.example.modular");
    assertThat(FanoutClient.class.getModule().getName()).isEqualTo("dev.fanout.sdk");
    assertThat(FanoutChatModel.class.getModule().getName()).isEqualTo("dev.fanout.langchain4j");
    assertThat(FanoutClient.class.getModule().getDescriptor().isAutomatic()).isFalse();

    try (Lookups lookups = new Lookups(backend.url())) {
      assertThat(lookups.userName(7)).isNotBlank();
      assertThat(lookups.ask("What is fan-out?")).isNotBlank();
      assertThat(lookups.message("What is fan-out?")).isNotBlank();
      assertThat(lookups.askClaude("What is fan-out?")).isNotBlank();
    }
  }
}
