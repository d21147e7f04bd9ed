package dev.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.errors.ConnectionSetupException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Credentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a client says when its HTTP proxy fails it: the proxy, not the server, is named, and a refusal fails
 * the call at once. A MockWebServer plays the proxy, answering both plain requests and {@code CONNECT}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyTest {
  private static final String PASSWORD = "proxy-pw-0123456789";

  /** A proxy that answers every request, with or without credentials, 407. */
  private static MockWebServer refusingProxy() throws Exception {
    MockWebServer proxy = new MockWebServer();
    proxy.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(407).setHeader("Proxy-Authenticate", "Basic realm=\"corp\"")
            .body("<html>no</html>").build();
      }
    });
    proxy.start();
    return proxy;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://api.example.test", "https://api.example.test"})
  void refusedCredentialsFailAtOnceNamingTheProxy(String baseUrl) throws Exception {
    try (MockWebServer proxy = refusingProxy();
        FanoutClient client = FanoutClient.builder().baseUrl(baseUrl).apiKey("sk-test-key-0123456789")
            .proxy("127.0.0.1:" + proxy.getPort()).proxyCredentials("svc", PASSWORD).build()) {
      String address = "127.0.0.1:" + proxy.getPort();
      assertThatThrownBy(() -> client.users().get(1))
          .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.PROXY_AUTHENTICATION);
            assertThat(e.host()).isEqualTo(address);
            assertThat(e.attempts()).isEqualTo(1);
          })
          .hasMessageContaining("the proxy " + address + " refused the credentials of proxy user 'svc' (HTTP 407)")
          .hasMessageNotContaining(PASSWORD)
          .hasMessageNotContaining(Credentials.basic("svc", PASSWORD));
      // one attempt, one request: a plain request and a CONNECT each carry the credentials from the first try
      boolean tunnel = baseUrl.startsWith("https");
      assertThat(proxy.getRequestCount()).isEqualTo(1);
      RecordedRequest withCredentials = proxy.takeRequest();
      assertThat(withCredentials.getMethod()).isEqualTo(tunnel ? "CONNECT" : "GET");
      assertThat(withCredentials.getHeaders().get("Proxy-Authorization")).isEqualTo(Credentials.basic("svc", PASSWORD));
    }
  }

  @Test
  void aTunnelRefusedWith401FailsAtOnceAsProxyAuthentication() throws Exception {
    // tinyproxy answers wrong credentials with 401, not 407
    try (MockWebServer proxy = new MockWebServer()) {
      proxy.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse.Builder().code(401).setHeader("WWW-Authenticate", "Basic realm=\"Tinyproxy\"").build();
        }
      });
      proxy.start();
      String address = "127.0.0.1:" + proxy.getPort();
      try (FanoutClient client = FanoutClient.builder().baseUrl("https://api.example.test").proxy(address)
          .proxyCredentials("svc", PASSWORD).build()) {
        assertThatThrownBy(() -> client.users().get(1))
            .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
              assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.PROXY_AUTHENTICATION);
              assertThat(e.host()).isEqualTo(address);
              assertThat(e.attempts()).isEqualTo(1);
            })
            .hasMessageContaining("authentication with the proxy " + address + " failed")
            .hasMessageContaining("401")
            .hasMessageNotContaining(PASSWORD);
      }
      assertThat(proxy.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void aProxyThatAsksForCredentialsWhenNoneAreSetFailsAtOnce() throws Exception {
    try (MockWebServer proxy = refusingProxy();
        FanoutClient client = FanoutClient.builder().baseUrl("http://api.example.test")
            .proxy("127.0.0.1:" + proxy.getPort()).build()) {
      assertThatThrownBy(() -> client.users().get(1))
          .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.PROXY_AUTHENTICATION);
            assertThat(e.attempts()).isEqualTo(1);
          })
          .hasMessageContaining("asks for credentials (HTTP 407) and none are set: see proxyCredentials");
      assertThat(proxy.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void aTunnelTheProxyCannotOpenIsRetryableAndNamesTheProxyAndTheServer() throws Exception {
    // Squid answers 503 (or 502) to a CONNECT when it cannot reach the server: that may pass, so it is retried
    try (MockWebServer proxy = new MockWebServer()) {
      proxy.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse.Builder().code(503).body("<html>Connection failed.</html>").build();
        }
      });
      proxy.start();
      String address = "127.0.0.1:" + proxy.getPort();
      try (FanoutClient client = FanoutClient.builder().baseUrl("https://api.example.test:8443")
          .retryPolicy(RetryPolicy.builder().maxAttempts(2).initialBackoff(java.time.Duration.ofMillis(1)).build())
          .proxy(address).proxyCredentials("svc", PASSWORD).build()) {
        assertThatThrownBy(() -> client.users().get(1))
            .isExactlyInstanceOf(dev.fanout.errors.TransportException.class)
            .hasMessageContaining("the proxy " + address + " could not open a tunnel to api.example.test:8443")
            .hasMessageContaining("CONNECT: 503")
            .hasMessageNotContaining(PASSWORD)
            .satisfies(e -> assertThat(((dev.fanout.errors.FanoutException) e).attempts()).isEqualTo(2));
      }
      assertThat(proxy.getRequestCount()).as("retried: one CONNECT per attempt").isEqualTo(2);
    }
  }

  @ParameterizedTest(name = "CONNECT answered {0}")
  @ValueSource(ints = {403, 404})
  void aTunnelTheProxyDeniesFailsAtOnceNamingTheProxyAndTheServer(int code) throws Exception {
    // Squid answers 403 (ERR_ACCESS_DENIED) to a CONNECT its http_access rules deny
    try (MockWebServer proxy = new MockWebServer()) {
      proxy.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse.Builder().code(code).setHeader("X-Squid-Error", "ERR_ACCESS_DENIED 0")
              .body("<html>Access Denied.</html>").build();
        }
      });
      proxy.start();
      String address = "127.0.0.1:" + proxy.getPort();
      try (FanoutClient client = FanoutClient.builder().baseUrl("https://api.example.test:8443")
          .apiKey("sk-test-key-0123456789").proxy(address).proxyCredentials("svc", PASSWORD).build()) {
        assertThatThrownBy(() -> client.users().get(1))
            .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
              assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.PROXY_DENIED);
              assertThat(e.host()).isEqualTo(address);
              assertThat(e.attempts()).isEqualTo(1);
            })
            .hasMessageContaining("the proxy " + address + " refused to open a tunnel to api.example.test:8443")
            .hasMessageContaining("CONNECT: " + code)
            .hasMessageNotContaining(PASSWORD)
            .hasMessageNotContaining("sk-test-key-0123456789");
      }
      assertThat(proxy.getRequestCount()).isEqualTo(1);
      assertThat(proxy.takeRequest().getMethod()).isEqualTo("CONNECT");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://api.example.test", "https://api.example.test"})
  void aProxyThatIsNotListeningIsNamedNotTheServer(String baseUrl) throws Exception {
    int port;
    try (MockWebServer gone = new MockWebServer()) {
      gone.start();
      port = gone.getPort();
    }
    try (FanoutClient client = FanoutClient.builder().baseUrl(baseUrl).proxy("127.0.0.1:" + port).build()) {
      assertThatThrownBy(() -> client.users().get(1))
          .isInstanceOfSatisfying(ConnectionSetupException.class, e -> {
            assertThat(e.reason()).isEqualTo(ConnectionSetupException.Reason.CONNECTION_REFUSED);
            assertThat(e.host()).isEqualTo("127.0.0.1:" + port);
            assertThat(e.attempts()).isEqualTo(1);
          })
          .hasMessageContaining("the proxy 127.0.0.1:" + port + " refused the connection")
          .hasMessageNotContaining("api.example.test:");
    }
  }
}
