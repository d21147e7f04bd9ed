package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class FanoutClientSpecTest {

  /** Every option set away from its default, so that a dropped one shows. */
  private static FanoutClientSpec everyOption() {
    return FanoutClientSpec.builder()
        .baseUrl("http://localhost:1/v1")
        .apiKey("sk-spec-secret")
        .connectTimeout(Duration.ofSeconds(1))
        .readTimeout(Duration.ofSeconds(2))
        .writeTimeout(Duration.ofSeconds(3))
        .totalTimeout(Duration.ofSeconds(4))
        .attemptTimeout(Duration.ofSeconds(5))
        .streamIdleTimeout(Duration.ofSeconds(6))
        .maxInFlight(7)
        .retryPolicy(RetryPolicy.builder().maxAttempts(8).build())
        .http2PriorKnowledge(true)
        .virtualThreads(VirtualThreads.OFF)
        .maxResponseBytes(9)
        .governor(GovernorPolicy.builder().initialConcurrency(10).build())
        .hedging(HedgePolicy.fixed(Duration.ofMillis(11)))
        .keepAlive(Duration.ofSeconds(12))
        .build();
  }

  private static void assertCarriesEveryOption(FanoutClientSpec s) {
    assertThat(s.baseUrl().toString()).isEqualTo("http://localhost:1/v1/");
    assertThat(s.hasApiKey()).isTrue();
    assertThat(s.apiKey()).isEqualTo("sk-spec-secret");
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.writeTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.totalTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(s.attemptTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.streamIdleTimeout()).isEqualTo(Duration.ofSeconds(6));
    assertThat(s.maxInFlight()).isEqualTo(7);
    assertThat(s.retryPolicy().maxAttempts()).isEqualTo(8);
    assertThat(s.http2PriorKnowledge()).isTrue();
    assertThat(s.virtualThreads()).isEqualTo(VirtualThreads.OFF);
    assertThat(s.maxResponseBytes()).isEqualTo(9);
    assertThat(s.governor().initialConcurrency()).isEqualTo(10);
    assertThat(s.hedging().enabled()).isTrue();
    assertThat(s.hedging().toString()).contains("delay=11ms");
    assertThat(s.keepAlive()).isEqualTo(Duration.ofSeconds(12));
  }

  @Test
  void everyOptionIsCarried() {
    assertCarriesEveryOption(everyOption());
    assertCarriesEveryOption(everyOption().newBuilder().build());
  }

  @Test
  void roundTripsThroughJavaSerialization() throws Exception {
    FanoutClientSpec back = roundTrip(everyOption());
    assertCarriesEveryOption(back);
    assertThat(back.toString()).isEqualTo(everyOption().toString());
  }

  @Test
  void defaultsAreTheClientsConstants() {
    FanoutClientSpec s = FanoutClientSpec.builder().baseUrl("http://localhost:1").build();
    assertThat(s.hasApiKey()).isFalse();
    assertThat(s.connectTimeout()).isEqualTo(FanoutClient.DEFAULT_CONNECT_TIMEOUT);
    assertThat(s.readTimeout()).isEqualTo(FanoutClient.DEFAULT_READ_TIMEOUT);
    assertThat(s.writeTimeout()).isEqualTo(FanoutClient.DEFAULT_WRITE_TIMEOUT);
    assertThat(s.totalTimeout()).isEqualTo(FanoutClient.DEFAULT_TOTAL_TIMEOUT);
    assertThat(s.attemptTimeout()).isEqualTo(FanoutClient.DEFAULT_ATTEMPT_TIMEOUT);
    assertThat(s.streamIdleTimeout()).isEqualTo(FanoutClient.DEFAULT_STREAM_IDLE_TIMEOUT);
    assertThat(s.maxInFlight()).isEqualTo(FanoutClient.DEFAULT_MAX_IN_FLIGHT);
    assertThat(s.retryPolicy()).isSameAs(RetryPolicy.defaults());
    assertThat(s.http2PriorKnowledge()).isFalse();
    assertThat(s.virtualThreads()).isEqualTo(FanoutClient.DEFAULT_VIRTUAL_THREADS);
    assertThat(s.maxResponseBytes()).isEqualTo(FanoutClient.DEFAULT_MAX_RESPONSE_BYTES);
    assertThat(s.governor()).isSameAs(FanoutClient.DEFAULT_GOVERNOR);
    assertThat(s.hedging()).isSameAs(FanoutClient.DEFAULT_HEDGING).isSameAs(HedgePolicy.disabled());
    assertThat(s.keepAlive()).isEqualTo(FanoutClient.DEFAULT_KEEP_ALIVE);
  }

  @Test
  void theApiKeyIsNeverShown() {
    assertThat(everyOption().toString()).doesNotContain("sk-spec-secret").contains("apiKey=██");
    assertThat(FanoutClientSpec.builder().baseUrl("http://localhost:1").build().toString()).contains("apiKey=none");
  }

  @Test
  void theClientBuilderReadsBackAndTakesASpec() {
    FanoutClientSpec spec = everyOption().newBuilder().http2PriorKnowledge(false).build();
    FanoutClient.Builder b = FanoutClient.builder().spec(spec);
    assertThat(b.spec().toString()).isEqualTo(spec.toString());
    try (FanoutClient client = b.build()) {
      assertThat(client.spec().toString()).isEqualTo(spec.toString());
      assertThat(client.maxInFlight()).isEqualTo(7);
      assertThat(client.httpClient().connectTimeoutMillis()).isEqualTo(1000);
      assertThat(client.httpClient().readTimeoutMillis()).isEqualTo(2000);
      assertThat(client.httpClient().writeTimeoutMillis()).isEqualTo(3000);
      assertThat(client.usesVirtualThreads()).isFalse();
      // the spec's maxInFlight and keepAlive size the pool the client owns
      assertThat(client.newBuilder().spec().keepAlive()).isEqualTo(Duration.ofSeconds(12));
    }
  }

  @Test
  void specReplacesTheSerializableOptionsAndKeepsTheRest() {
    Consumer<CallTrace> listener = trace -> { };
    FanoutClient.Builder b = FanoutClient.builder()
        .baseUrl("http://before:1").maxInFlight(3).traceListener(listener)
        .spec(FanoutClientSpec.builder().baseUrl("http://after:2").build())
        .maxInFlight(5);
    FanoutClientSpec read = b.spec();
    assertThat(read.baseUrl().host()).isEqualTo("after");
    assertThat(read.maxInFlight()).isEqualTo(5);
  }

  @Test
  void aSharedOkHttpClientAndClockSurviveNewBuilder() {
    OkHttpClient shared = new OkHttpClient();
    dev.fanout.testing.FakeClock clock = dev.fanout.testing.FakeClock.create();
    try (FanoutClient a = FanoutClient.builder().baseUrl("http://localhost:1").okHttpClient(shared).clock(clock).build();
        FanoutClient b = a.newBuilder().maxInFlight(9).build()) {
      assertThat(b.clock()).isSameAs(clock);
      assertThat(b.httpClient().connectionPool()).isSameAs(shared.connectionPool());
      assertThat(b.spec().baseUrl()).isEqualTo(a.spec().baseUrl());
    } finally {
      shared.dispatcher().executorService().shutdown();
    }
  }

  @Test
  void validationIsTheClientBuildersWithTheSameMessages() {
    FanoutClientSpec.Builder s = FanoutClientSpec.builder();
    FanoutClient.Builder c = FanoutClient.builder();
    assertThatThrownBy(() -> s.maxInFlight(0)).hasMessage("maxInFlight < 1: 0");
    assertThatThrownBy(() -> c.maxInFlight(0)).hasMessage("maxInFlight < 1: 0");
    assertThatThrownBy(() -> s.totalTimeout(Duration.ofSeconds(-1))).hasMessage("totalTimeout < 0: PT-1S");
    assertThatThrownBy(() -> s.attemptTimeout(null)).hasMessage("attemptTimeout == null");
    assertThatThrownBy(() -> s.maxResponseBytes(0)).hasMessage("maxResponseBytes < 1: 0");
    assertThatThrownBy(() -> s.baseUrl("ftp://x")).hasMessageContaining("ftp://x");
    assertThatThrownBy(() -> s.hedging(null)).hasMessage("hedging == null");
    assertThatThrownBy(() -> c.hedging(null)).hasMessage("hedging == null");
    assertThatThrownBy(() -> s.governor(null)).hasMessage("governor == null");
    assertThatThrownBy(() -> s.keepAlive(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepAlive <= 0");
    assertThatThrownBy(() -> c.keepAlive(Duration.ofSeconds(-1))).hasMessage("keepAlive <= 0: PT-1S");
    assertThatThrownBy(() -> s.apiKey("sk-bad key")).hasMessageNotContaining("sk-bad");
    assertThatThrownBy(() -> FanoutClientSpec.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("baseUrl == null");
    assertThatThrownBy(() -> FanoutClient.builder().spec())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("baseUrl == null");
    assertThatThrownBy(() -> FanoutClientSpec.builder().baseUrl("https://x.test").http2PriorKnowledge(true).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("https://x.test/");
  }

  @Test
  void eachOptionIsDeclaredOnceAndBothBuildersInheritIt() {
    // Every option setter lives on the shared builder; the two builders add only what is theirs.
    java.util.Set<String> client = new java.util.TreeSet<>();
    for (java.lang.reflect.Method m : FanoutClient.Builder.class.getDeclaredMethods()) {
      if (java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
        client.add(m.getName());
      }
    }
    assertThat(client).containsExactly("build", "clock", "okHttpClient", "openTelemetry", "spec", "traceListener");
    java.util.Set<String> spec = new java.util.TreeSet<>();
    for (java.lang.reflect.Method m : FanoutClientSpec.Builder.class.getDeclaredMethods()) {
      if (java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
        spec.add(m.getName());
      }
    }
    assertThat(spec).containsExactly("build");
    assertThat(FanoutClient.Builder.class.getSuperclass()).isEqualTo(ClientOptionsBuilder.class);
    assertThat(FanoutClientSpec.Builder.class.getSuperclass()).isEqualTo(ClientOptionsBuilder.class);
  }

  @Test
  void aTamperedStreamIsRejectedByTheBuildersChecks() throws Exception {
    int marker = 0x12345678; // a maxInFlight whose four bytes occur once in the stream
    byte[] bytes = serialize(FanoutClientSpec.builder().baseUrl("http://localhost:1").maxInFlight(marker).build());
    byte[] tampered = replaceInt(bytes, marker, 0);
    assertThatThrownBy(() -> deserialize(tampered))
        .isInstanceOf(InvalidObjectException.class)
        .hasMessageContaining("maxInFlight < 1: 0");
  }

  private static FanoutClientSpec roundTrip(FanoutClientSpec spec) throws Exception {
    return deserialize(serialize(spec));
  }

  private static byte[] serialize(Object o) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    return bytes.toByteArray();
  }

  private static FanoutClientSpec deserialize(byte[] bytes) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (FanoutClientSpec) in.readObject();
    }
  }

  private static byte[] replaceInt(byte[] bytes, int from, int to) {
    int found = -1;
    for (int i = 0; i + 4 <= bytes.length; i++) {
      int v = (bytes[i] & 0xff) << 24 | (bytes[i + 1] & 0xff) << 16 | (bytes[i + 2] & 0xff) << 8 | (bytes[i + 3] & 0xff);
      if (v == from) {
        assertThat(found).as("one occurrence of the marker").isEqualTo(-1);
        found = i;
      }
    }
    assertThat(found).as("the marker in the stream").isNotNegative();
    byte[] copy = bytes.clone();
    for (int k = 0; k < 4; k++) {
      copy[found + k] = (byte) (to >>> (24 - 8 * k));
    }
    return copy;
  }
}
