package dev.fanout.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.fanout.CallTrace;
import dev.fanout.Fanout;
import dev.fanout.FanoutFuture;
import dev.fanout.FanoutOptions;
import dev.fanout.FanoutClient;
import dev.fanout.Outcome;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.TransportException;
import dev.fanout.testsupport.AutoAdvance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Security: the API key never shows in logs, exception messages, {@code toString()} or reports; headers that
 * errors carry are redacted and bounded; TLS certificates are verified, and the library has no switch to
 * turn that off.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class SecurityTest {
  static final String KEY = "sk-live-7Hq2ZpXkVbN4mT9sLw3RcY8dF1aG6eJ0";

  @Test
  void theApiKeyAppearsNowhere() throws Exception {
    List<String> julRecords = new CopyOnWriteArrayList<>();
    Handler jul = new Handler() {
      @Override
      public void publish(LogRecord r) {
        julRecords.add(r.getLoggerName() + " " + r.getMessage() + " " + Arrays.toString(r.getParameters())
            + (r.getThrown() == null ? "" : " " + stackTrace(r.getThrown())));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    Logger okhttp = Logger.getLogger("okhttp3");
    Level before = okhttp.getLevel();
    root.addHandler(jul);
    okhttp.setLevel(Level.ALL);
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setErr(tee);
    System.setOut(tee);
    List<String> texts = new ArrayList<>();
    MockWebServer server = new MockWebServer();
    CountDownLatch fanOutStarted = new CountDownLatch(1);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        String path = request.getUrl().encodedPath();
        if (path.startsWith("/users/")) {
          // Held until the fan-out has started both its calls, so the second surely queues at maxInFlight 1.
          fanOutStarted.await(10, TimeUnit.SECONDS);
          return new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json")
              .body("{\"id\":1,\"name\":\"n\",\"email\":\"e\"}").build();
        }
        // An error that echoes credentials back in its headers, as misconfigured proxies do.
        return new MockResponse.Builder().code(503)
            .setHeader("Content-Type", "application/json")
            .setHeader("Authorization", request.getHeaders().get("Authorization"))
            .setHeader("X-Api-Key", KEY)
            .setHeader("Set-Cookie", "session=" + KEY)
            .setHeader("Proxy-Authorization", "Basic " + KEY)
            .body("{\"error\":\"down\"}").build();
      }
    });
    server.start();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try {
      List<CallTrace> traces = new CopyOnWriteArrayList<>();
      try (AutoAdvance time = new AutoAdvance();
          FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString()).apiKey(KEY)
              .maxInFlight(1) // the fan-out below queues at the limit: the SDK logs a WARN for that too
              .retryPolicy(RetryPolicy.builder().maxAttempts(2).build()).clock(time.clock()).streamIdleTimeout(java.time.Duration.ZERO).totalTimeout(java.time.Duration.ZERO)
              .traceListener(t -> {
                traces.add(t);
                throw new IllegalStateException("listener failure for " + t); // the SDK logs this one
              })
              .build();
          FanoutClient unreachable = FanoutClient.builder().baseUrl("http://127.0.0.1:" + closedPort).apiKey(KEY)
              .retryPolicy(RetryPolicy.none()).build()) {
        texts.add(client.toString());
        texts.add(client.newBuilder().toString());
        texts.add(client.retryPolicy().toString());

        // A service error that echoes the key, retried and exhausted; a query parameter named like a key.
        Throwable exhausted = catchThrowable(() -> client.json().get("echo?api_key=" + KEY + "&q=1", Map.class));
        assertThat(exhausted).isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.attempts()).isEqualTo(2));
        ServiceException service = (ServiceException) exhausted;
        assertThat(service.headers().get("authorization")).containsExactly("██");
        assertThat(service.headers().get("x-api-key")).containsExactly("██");
        assertThat(service.headers().get("set-cookie")).containsExactly("██");
        assertThat(service.headers().get("proxy-authorization")).containsExactly("██");
        texts.add(stackTrace(exhausted));
        texts.add(service.headers().toString());
        texts.add(service.url());
        texts.add(service.body());

        // A transport failure, and a fan-out whose report and outcomes are rendered.
        texts.add(stackTrace(catchThrowable(() -> unreachable.users().get(1))));
        FanoutFuture<List<Outcome<Object>>> run = Fanout.settleAll(List.of("users/1", "echo"),
            (path, context) -> client.json().getAsync(path, Object.class), FanoutOptions.builder().timeout(Duration.ofSeconds(5)).build());
        fanOutStarted.countDown();
        List<Outcome<Object>> outcomes = run.get(10, TimeUnit.SECONDS);
        texts.add(outcomes.toString());
        outcomes.stream().filter(o -> !o.isSuccess()).forEach(o -> texts.add(stackTrace(o.error())));
        texts.add(run.report().toString());
        texts.add(run.report().toJson());
        traces.forEach(t -> texts.add(t.toString()));
      }
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
      root.removeHandler(jul);
      okhttp.setLevel(before);
      server.close();
    }
    String logs = captured.toString(StandardCharsets.UTF_8);
    assertThat(logs).as("the SDK logged the failing trace listener").contains("trace listener failed");
    assertThat(logs).as("and the queueing at maxInFlight").contains("maxInFlight=1 reached");
    texts.add(logs);
    texts.addAll(julRecords);
    assertThat(texts).isNotEmpty().allSatisfy(text -> assertThat(text).doesNotContain(KEY).doesNotContain(KEY.substring(8)));
  }

  @Test
  void headersCarriedByErrorsAreBounded() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      MockResponse.Builder b = new MockResponse.Builder().code(500).body("x".repeat(100_000));
      for (int i = 0; i < 100; i++) {
        b.addHeader("X-Noise-" + i, "v".repeat(1_000));
      }
      server.enqueue(b.build());
      server.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(server.url("/").toString())
          .retryPolicy(RetryPolicy.none()).build()) {
        Throwable thrown = catchThrowable(() -> client.json().get("x", Object.class));
        ServiceException e = (ServiceException) thrown;
        assertThat(e.headers().size()).isLessThanOrEqualTo(64);
        assertThat(e.headers().values()).allSatisfy(values ->
            assertThat(values).allSatisfy(v -> assertThat(v.length()).isLessThanOrEqualTo(513)));
        assertThat(e.body().length()).isLessThanOrEqualTo(8 * 1024 + 1);
        assertThat(e.getMessage().length()).isLessThan(400);
      }
    }
  }

  @Test
  void tlsCertificatesAreVerified() throws Exception {
    SSLContext selfSigned = selfSignedServerContext();
    try (MockWebServer server = new MockWebServer()) {
      server.useHttps(selfSigned.getSocketFactory());
      server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
      server.start();
      String url = server.url("/").toString();
      assertThat(url).startsWith("https://");
      try (FanoutClient client = FanoutClient.builder().baseUrl(url).apiKey(KEY).retryPolicy(RetryPolicy.none()).build()) {
        Throwable thrown = catchThrowable(() -> client.json().get("x", Object.class));
        assertThat(thrown).isInstanceOf(TransportException.class).hasCauseInstanceOf(SSLException.class)
            .hasMessageContaining("GET /x");
        assertThat(thrown.getMessage()).doesNotContain(KEY);
      }
      assertThat(server.getRequestCount()).as("no request got through the failed handshake").isZero();
    }
  }

  @Test
  void aSharedOkHttpClientKeepsItsTrustButHostnamesAreStillVerified() throws Exception {
    // The caller trusts this certificate through its own OkHttpClient; the SDK derives its client from it
    // and must not loosen anything: a certificate for another host still fails, the right one works.
    for (boolean rightHost : new boolean[] {true, false}) {
      KeyStore ks = rightHost ? keyStore("127.0.0.1") : keyStore("other.example");
      javax.net.ssl.X509TrustManager tm = trusting(ks);
      SSLContext clientContext = SSLContext.getInstance("TLS");
      clientContext.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
      okhttp3.OkHttpClient callers = new okhttp3.OkHttpClient.Builder().sslSocketFactory(clientContext.getSocketFactory(), tm).build();
      try (MockWebServer server = new MockWebServer()) {
        server.useHttps(serverContext(ks).getSocketFactory());
        server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body("{}").build());
        server.start();
        String url = "https://127.0.0.1:" + server.getPort() + "/";
        try (FanoutClient client = FanoutClient.builder().baseUrl(url).okHttpClient(callers).retryPolicy(RetryPolicy.none()).build()) {
          if (rightHost) {
            assertThat(client.json().get("x", Map.class)).isEmpty();
          } else {
            Throwable thrown = catchThrowable(() -> client.json().get("x", Map.class));
            assertThat(thrown).isInstanceOf(TransportException.class)
                .hasCauseInstanceOf(javax.net.ssl.SSLPeerUnverifiedException.class);
            assertThat(server.getRequestCount()).isZero();
          }
        }
      } finally {
        callers.dispatcher().executorService().shutdown();
        callers.connectionPool().evictAll();
      }
    }
  }

  /**
   * The certificate options add trust (a private CA's certificates beside the JDK's) or present a client
   * certificate; none turns verification off. Every other name is checked.
   */
  private static final java.util.Set<String> ADDS_TRUST_OR_IDENTITY = java.util.Set.of(
      "trustedcertificatespem", "trustedcertificates", "clientcertificatepem", "hasclientcertificate");

  @Test
  void theLibraryHasNoSwitchToTurnTlsVerificationOff() {
    for (Class<?> type : List.of(FanoutClient.class, FanoutClient.Builder.class, RetryPolicy.Builder.class, FanoutOptions.Builder.class)) {
      for (Method m : type.getMethods()) {
        if (ADDS_TRUST_OR_IDENTITY.contains(m.getName().toLowerCase())) continue;
        assertThat(m.getName().toLowerCase()).as(type.getSimpleName() + "." + m.getName())
            .doesNotContain("trust", "insecure", "hostnameverifier", "sslsocketfactory", "certificate", "verify");
      }
    }
  }

  @Test
  void aRedirectToAnotherOriginDoesNotCarryTheKey() throws Exception {
    try (MockWebServer elsewhere = new MockWebServer(); MockWebServer api = new MockWebServer()) {
      elsewhere.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body("{}").build());
      elsewhere.start();
      api.enqueue(new MockResponse.Builder().code(302).setHeader("Location", elsewhere.url("/collect").toString()).build());
      api.start();
      try (FanoutClient client = FanoutClient.builder().baseUrl(api.url("/").toString()).apiKey(KEY).build()) {
        client.json().get("x", Map.class);
      }
      assertThat(api.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer " + KEY);
      RecordedRequest redirected = elsewhere.takeRequest();
      assertThat(redirected.getUrl().encodedPath()).isEqualTo("/collect");
      assertThat(redirected.getHeaders().get("Authorization")).as("the key stays with its origin").isNull();
      assertThat(redirected.getHeaders().toString()).doesNotContain(KEY);
    }
  }

  /** A certificate for 127.0.0.1 that no trust store knows, made with the JDK's keytool. */
  private SSLContext selfSignedServerContext() throws Exception {
    return serverContext(keyStore("127.0.0.1", "localhost"));
  }

  private static SSLContext serverContext(KeyStore ks) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  /** A trust manager that trusts exactly the certificate in {@code ks} (what a caller's own client might do). */
  private static javax.net.ssl.X509TrustManager trusting(KeyStore ks) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("server", ks.getCertificate("server"));
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    return (javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0];
  }

  /**
   * A key pair and self-signed certificate for {@code hosts} (its subject alternative names: IP addresses and
   * DNS names), in a key store under the alias {@code server}.
   */
  private static KeyStore keyStore(String... hosts) throws Exception {
    okhttp3.tls.HeldCertificate.Builder builder = new okhttp3.tls.HeldCertificate.Builder()
        .commonName("localhost").duration(2, TimeUnit.DAYS).ecdsa256();
    for (String host : hosts) {
      builder.addSubjectAlternativeName(host);
    }
    okhttp3.tls.HeldCertificate held = builder.build();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", held.keyPair().getPrivate(), "changeit".toCharArray(),
        new java.security.cert.Certificate[] {held.certificate()});
    return ks;
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return t + "\n" + w;
  }
}
