package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(20)
class ClientBuilderTest {

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", "   ", "localhost:8080", "/users", "ftp://example.com/", "http//x", "mailto:a@b"})
  void rejectsBadBaseUrlNamingIt(String baseUrl) {
    assertThatThrownBy(() -> FanoutClient.builder().baseUrl(baseUrl))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl")
        .hasMessageContaining(String.valueOf(baseUrl).isBlank() ? "blank" : String.valueOf(baseUrl));
  }

  @Test
  void baseUrlIsRequired() {
    assertThatThrownBy(() -> FanoutClient.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUrl == null");
  }

  @Test
  void baseUrlGetsTrailingSlash() {
    try (FanoutClient client = FanoutClient.builder().baseUrl("https://api.example.com/v1").build()) {
      assertThat(client.baseUrl().toString()).isEqualTo("https://api.example.com/v1/");
    }
  }

  @Test
  void rejectsBadOptionsNamingTheValue() {
    FanoutClient.Builder b = FanoutClient.builder();
    assertThatThrownBy(() -> b.maxInFlight(0)).hasMessage("maxInFlight < 1: 0");
    assertThatThrownBy(() -> b.connectTimeout(Duration.ofSeconds(-1))).hasMessage("connectTimeout < 0: PT-1S");
    assertThatThrownBy(() -> b.readTimeout(null)).hasMessage("readTimeout == null");
    assertThatThrownBy(() -> b.maxResponseBytes(0)).hasMessage("maxResponseBytes < 1: 0");
    assertThatThrownBy(() -> b.apiKey(" ")).hasMessage("apiKey is blank");
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessage("maxAttempts < 1: 0");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5)).hasMessage("jitter not in [0, 1]: 1.5");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5)).hasMessageContaining("0.5");
  }

  @Test
  void apiKeyWithControlCharacterIsRejectedWithoutEchoingIt() {
    assertThatThrownBy(() -> FanoutClient.builder().apiKey("sk-secret\nX"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("sk-secret");
  }

  @Test
  void h2PriorKnowledgeNeedsHttp() {
    assertThatThrownBy(() -> FanoutClient.builder().baseUrl("https://x.test").http2PriorKnowledge(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("https://x.test/");
  }

  @Test
  void toStringNeverShowsApiKey() {
    try (FanoutClient client = FanoutClient.builder().baseUrl("http://localhost:1").apiKey("sk-live-abcdef").build()) {
      assertThat(client.toString()).doesNotContain("sk-live-abcdef").contains("http://localhost:1/");
    }
  }

  @Test
  void dispatcherAndPoolAreSizedToMaxInFlight() {
    try (FanoutClient client = FanoutClient.builder().baseUrl("http://localhost:1").maxInFlight(40).build()) {
      OkHttpClient ok = client.httpClient();
      assertThat(ok.dispatcher().getMaxRequests()).isEqualTo(40);
      assertThat(ok.dispatcher().getMaxRequestsPerHost()).isEqualTo(40);
      assertThat(ok.callTimeoutMillis()).isZero();
    }
  }

  @Test
  void defaultsAreTheDocumentedConstants() {
    try (FanoutClient client = FanoutClient.builder().baseUrl("http://localhost:1").build()) {
      OkHttpClient ok = client.httpClient();
      assertThat(client.maxInFlight()).isEqualTo(FanoutClient.DEFAULT_MAX_IN_FLIGHT).isEqualTo(1024);
      assertThat(ok.dispatcher().getMaxRequestsPerHost()).isEqualTo(1024);
      assertThat(ok.connectTimeoutMillis()).isEqualTo(FanoutClient.DEFAULT_CONNECT_TIMEOUT.toMillis());
      assertThat(ok.readTimeoutMillis()).isEqualTo(FanoutClient.DEFAULT_READ_TIMEOUT.toMillis());
      assertThat(client.retryPolicy()).isSameAs(RetryPolicy.defaults());
      assertThat(RetryPolicy.defaults().maxAttempts()).isEqualTo(RetryPolicy.DEFAULT_MAX_ATTEMPTS);
    }
  }

  @Test
  void newBuilderCopiesSettingsIntoAnIndependentClient() {
    try (FanoutClient a = FanoutClient.builder().baseUrl("http://localhost:1").maxInFlight(7).build();
        FanoutClient b = a.newBuilder().maxInFlight(9).build()) {
      assertThat(b.baseUrl()).isEqualTo(a.baseUrl());
      assertThat(a.maxInFlight()).isEqualTo(7);
      assertThat(b.maxInFlight()).isEqualTo(9);
      assertThat(b.httpClient().connectionPool()).isNotSameAs(a.httpClient().connectionPool());
    }
  }

  @Test
  void sharedOkHttpClientKeepsItsPoolButGetsASizedDispatcher() {
    OkHttpClient shared = new OkHttpClient();
    try (FanoutClient client = FanoutClient.builder().baseUrl("http://localhost:1").okHttpClient(shared).build()) {
      assertThat(client.httpClient().connectionPool()).isSameAs(shared.connectionPool());
      assertThat(client.httpClient().dispatcher()).isNotSameAs(shared.dispatcher());
      assertThat(client.httpClient().dispatcher().getMaxRequestsPerHost()).isEqualTo(1024);
    }
    assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
    shared.dispatcher().executorService().shutdown();
  }

  @Test
  @EnabledForJreRange(max = JRE.JAVA_20)
  void virtualThreadsOnFailsBeforeJava21() {
    assertThatThrownBy(() -> FanoutClient.builder().baseUrl("http://localhost:1").virtualThreads(VirtualThreads.ON).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Java 21");
  }

  @Test
  @EnabledForJreRange(max = JRE.JAVA_20)
  void autoUsesPlatformThreadsBeforeJava21() {
    try (FanoutClient client = FanoutClient.builder().baseUrl("http://localhost:1").build()) {
      assertThat(client.usesVirtualThreads()).isFalse();
    }
  }
}
