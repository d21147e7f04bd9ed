package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.ConnectionSetupException;
import dev.fanout.errors.FanoutException;
import dev.fanout.mock.Latency;
import dev.fanout.mock.MockBackend;
import dev.fanout.mock.MockTls;
import dev.fanout.mock.ReceivedRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a real deployment configures: trusted CAs in the spec, the provider's auth header, default headers;
 * and configuration errors that fail at once, typed, naming the host and the attempts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealApiConfigTest {
  private static final String KEY = "sk-test-secret-0123456789";

  @Test
  void trustsAPrivateCaGivenAsPemAndSpeaksHttp2() throws Exception {
    try (MockBackend backend = MockBackend.builder().tls(true).latency(Latency.none()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
            .trustedCertificatesPem(backend.tlsCertificates().caCertificatePem()).build()) {
      assertThat(client.users().get(7).id()).isEqualTo(7);
      assertThat(backend.takeRequest(5, TimeUnit.SECONDS).protocol()).isEqualTo(Protocol.HTTP_2);
    }
  }

  @Test
  void anUntrustedCertificateFailsAtOnceNamingTheHostAndTheAttempts() {
    try (MockBackend backend = MockBackend.builder().tls(true).latency(Latency.none()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).build()) {
      assertThatThrownBy(() -> client.users().get(1))
          .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.TLS_HANDSHAKE);
            assertThat(e.host()).isEqualTo("127.0.0.1:" + backend.port());
            assertThat(e.attempts()).isEqualTo(1);
          })
          .hasMessageContaining("TLS handshake with 127.0.0.1:" + backend.port())
          .hasMessageContaining("is its certificate's CA trusted? see trustedCertificatesPem")
          .hasMessageEndingWith("(1 attempt)");
      assertThat(backend.stats().completed()).isZero();
    }
  }

  @Test
  void aCertificateForAnotherHostNameFailsAtOnceSayingSoNotBlamingTheCa() {
    okhttp3.tls.HeldCertificate ca = new okhttp3.tls.HeldCertificate.Builder().certificateAuthority(0).build();
    okhttp3.tls.HeldCertificate server = new okhttp3.tls.HeldCertificate.Builder().signedBy(ca)
        .commonName("other.example").addSubjectAlternativeName("other.example").build();
    // a trusted CA, a certificate for another name than the base URL's
    MockTls otherName = MockTls.fromPem(server.certificatePem() + ca.certificatePem() + server.privateKeyPkcs8Pem());
    try (MockBackend backend = MockBackend.builder().tls(otherName).latency(Latency.none()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
            .trustedCertificatesPem(otherName.caCertificatePem()).build()) {
      assertThatThrownBy(() -> client.users().get(1))
          .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.TLS_HANDSHAKE);
            assertThat(e.host()).isEqualTo("127.0.0.1:" + backend.port());
            assertThat(e.attempts()).isEqualTo(1);
          })
          .hasMessageContaining("TLS handshake with 127.0.0.1:" + backend.port()
              + " failed (its certificate is trusted but not issued for 127.0.0.1")
          .hasMessageContaining("other.example")
          .hasMessageNotContaining("CA trusted")
          .hasMessageEndingWith("(1 attempt)");
      assertThat(backend.stats().completed()).isZero();
    }
  }

  @Test
  void aRefusedConnectionFailsAtOnceWithoutRetries() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (FanoutClient client = FanoutClient.builder().baseUrl("http://127.0.0.1:" + port).build()) {
      assertThatThrownBy(() -> client.users().get(1))
          .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.CONNECTION_REFUSED);
            assertThat(e.attempts()).isEqualTo(1);
          })
          .hasMessageContaining("127.0.0.1:" + port + " refused the connection");
    }
  }

  @Test
  void anUnknownHostFailsAtOnce() {
    try (FanoutClient client = FanoutClient.builder().baseUrl("https://no-such-host.invalid").build()) {
      assertThatThrownBy(() -> client.users().get(1))
          .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.UNKNOWN_HOST);
            assertThat(e.attempts()).isEqualTo(1);
          })
          .hasMessageContaining("no-such-host.invalid");
    }
  }

  @Test
  void everyRetriedErrorSaysHowManyAttempts() {
    try (MockBackend backend = MockBackend.builder().latency(Latency.none())
            .faults(dev.fanout.mock.Faults.builder().errorRate(1.0).build()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url())
            .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(Duration.ofMillis(1)).build()).build()) {
      assertThatThrownBy(() -> client.users().get(1)).isInstanceOf(FanoutException.class)
          .hasMessageEndingWith("(2 attempts)");
    }
  }

  @Test
  void azureAndAnthropicHeadersCarryTheKeyAndDefaultHeadersGoOnEveryCall() throws Exception {
    try (MockBackend backend = MockBackend.builder().latency(Latency.none()).start()) {
      try (FanoutClient azure = FanoutClient.builder().baseUrl(backend.url()).apiKey(KEY)
          .authScheme(AuthScheme.API_KEY).build()) {
        azure.users().get(1);
        ReceivedRequest r = backend.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r.header("api-key")).isEqualTo(KEY);
        assertThat(r.header("Authorization")).isNull();
      }
      try (FanoutClient anthropic = FanoutClient.builder().baseUrl(backend.url()).apiKey(KEY)
          .authScheme(AuthScheme.X_API_KEY).defaultHeader("anthropic-version", "2023-06-01").build()) {
        anthropic.users().get(2);
        ReceivedRequest r = backend.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r.header("x-api-key")).isEqualTo(KEY);
        assertThat(r.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(anthropic.toString()).doesNotContain(KEY);
      }
    }
    assertThatThrownBy(() -> FanoutClient.builder().defaultHeader("Authorization", "Bearer " + KEY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("apiKey").hasMessageNotContaining(KEY);
  }

  @Test
  void theWireLogShowsRequestsAndResponsesWithTheKeyRedacted() throws Exception {
    java.io.PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (MockBackend backend = MockBackend.builder().latency(Latency.none()).start();
        FanoutClient client = FanoutClient.builder().baseUrl(backend.url()).apiKey(KEY)
            .wireLog(WireLog.BODY).build()) {
      System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
      client.users().get(7);
    } finally {
      System.setErr(originalErr);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).contains("dev.fanout.wire").contains("--> GET").contains("/users/7")
        .contains("authorization=[██]").contains("<-- 200").contains("\"id\":7")
        .doesNotContain(KEY).doesNotContain(KEY.substring(8));
    assertThat(WireLog.parse("debug")).isEqualTo(WireLog.HEADERS);
    assertThatThrownBy(() -> WireLog.parse("loud")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FANOUT_LOG is not none, headers or body: loud");
  }

  @Test
  void aPlainRequestCarriesTheProxyCredentialsFromTheFirstTry() throws Exception {
    try (mockwebserver3.MockWebServer proxy = new mockwebserver3.MockWebServer()) {
      proxy.setDispatcher(new mockwebserver3.Dispatcher() {
        @Override
        public mockwebserver3.MockResponse dispatch(mockwebserver3.RecordedRequest request) {
          String auth = request.getHeaders().get("Proxy-Authorization");
          if (auth == null) {
            return new mockwebserver3.MockResponse.Builder().code(407)
                .setHeader("Proxy-Authenticate", "Basic realm=\"corp\"").build();
          }
          return new mockwebserver3.MockResponse.Builder().code(auth.equals(okhttp3.Credentials.basic("me", "pw")) ? 200 : 403)
              .setHeader("Content-Type", "application/json")
              .body("{\"id\":3,\"name\":\"via proxy\",\"email\":\"p@example.com\"}").build();
        }
      });
      proxy.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl("http://api.example.test")
          .proxy("127.0.0.1:" + proxy.getPort()).proxyCredentials("me", "pw").build()) {
        assertThat(client.users().get(3).name()).isEqualTo("via proxy");
      }
      assertThat(proxy.getRequestCount()).as("no 407 round trip first").isEqualTo(1);
      mockwebserver3.RecordedRequest first = proxy.takeRequest();
      assertThat(first.getHeaders().get("Proxy-Authorization")).isEqualTo(okhttp3.Credentials.basic("me", "pw"));
      assertThat(first.getTarget()).startsWith("http://api.example.test");
    }
  }

  @Test
  void theSpecCarriesTrustAuthAndHeadersThroughSerialization() throws Exception {
    MockTls tls = MockTls.generate("127.0.0.1");
    FanoutClientSpec spec = FanoutClientSpec.builder().baseUrl("https://127.0.0.1:1").apiKey(KEY)
        .authScheme(AuthScheme.X_API_KEY).defaultHeader("anthropic-version", "2023-06-01")
        .trustedCertificatesPem(tls.caCertificatePem()).proxy("proxy.example:3128")
        .proxyCredentials("me", "proxy-secret").build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    FanoutClientSpec back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (FanoutClientSpec) in.readObject();
    }
    assertThat(back.authScheme()).isEqualTo(AuthScheme.X_API_KEY);
    assertThat(back.defaultHeaders()).containsEntry("anthropic-version", "2023-06-01");
    assertThat(back.trustedCertificatesPem()).isEqualTo(tls.caCertificatePem());
    assertThat(back.proxy()).isEqualTo("proxy.example:3128");
    assertThat(back.toString()).doesNotContain(KEY).doesNotContain("proxy-secret").contains("X_API_KEY");
    assertThatThrownBy(() -> FanoutClientSpec.builder().trustedCertificatesPem("not a pem"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trustedCertificatesPem");
    assertThatThrownBy(() -> FanoutClientSpec.builder().proxy("no-port"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("proxy is not host:port: no-port");
  }

  @Test
  void aMissingCaFileIsNamedAsMissing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    java.nio.file.Path missing = dir.resolve("corp-ca.pem");
    assertThatThrownBy(() -> FanoutClientSpec.builder().trustedCertificates(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("trustedCertificates: cannot read " + missing + ": no such file");
  }
}
