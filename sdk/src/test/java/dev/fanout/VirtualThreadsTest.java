package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.users.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * The virtual-thread path, which needs Java 21+ at run time (the build targets 17). Run it by hand with
 * {@code JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./mvnw -pl sdk test -Dtest=VirtualThreadsTest}.
 */
@Timeout(30)
@EnabledForJreRange(min = JRE.JAVA_21)
class VirtualThreadsTest {

  @Test
  void autoRunsTheDispatcherOnVirtualThreads() throws Exception {
    List<Thread> finishers = new CopyOnWriteArrayList<>();
    try (MockBackend backend = MockBackend.start(Latency.fixed(Duration.ofMillis(200)));
        FanoutClient client = FanoutClient.builder()
            .baseUrl(backend.url())
            .traceListener(t -> finishers.add(Thread.currentThread()))
            .build()) {
      assertThat(client.usesVirtualThreads()).isTrue();

      List<CompletableFuture<User>> calls = new ArrayList<>();
      for (int id = 1; id <= 100; id++) {
        calls.add(client.users().getAsync(id));
      }
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

      assertThat(backend.stats().maxInFlight()).isEqualTo(100);
      assertThat(finishers).hasSize(100).allMatch(VirtualThreadsTest::isVirtual);
    }
  }

  @Test
  void offUsesPlatformThreads() {
    try (FanoutClient client = FanoutClient.builder()
        .baseUrl("http://localhost:1").virtualThreads(VirtualThreads.OFF).build()) {
      assertThat(client.usesVirtualThreads()).isFalse();
    }
  }

  private static boolean isVirtual(Thread t) {
    try {
      return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
