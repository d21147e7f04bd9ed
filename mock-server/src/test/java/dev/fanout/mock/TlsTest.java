package dev.fanout.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The TLS mode on both engines: HTTP/2 and HTTP/1.1 by ALPN under a generated or given certificate that a
 * client trusts through the CA the backend hands out; and what only Netty does: the announced stream limit
 * and GOAWAY on shutdown, read off the wire.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTest {
  private final List<OkHttpClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    for (OkHttpClient c : clients) {
      c.dispatcher().executorService().shutdown();
      c.connectionPool().evictAll();
    }
  }

  private OkHttpClient client(HandshakeCertificates trust, Protocol... protocols) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(100);
    dispatcher.setMaxRequestsPerHost(100);
    OkHttpClient.Builder b = new OkHttpClient.Builder().dispatcher(dispatcher)
        .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager());
    if (protocols.length > 0) b.protocols(List.of(protocols));
    OkHttpClient c = b.build();
    clients.add(c);
    return c;
  }

  private static MockBackend.Builder backend(Engine engine) {
    return MockBackend.builder().engine(engine).latency(Latency.fixed(Duration.ZERO)).tls(true);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void servesHttp2AndHttp11ByAlpnUnderTheCaItHandsOut(Engine engine) throws IOException {
    try (MockBackend b = backend(engine).start()) {
      assertThat(b.url()).startsWith("https://127.0.0.1:");
      HandshakeCertificates trust = b.tlsCertificates().clientHandshake();
      try (Response r = client(trust).newCall(new Request.Builder().url(b.url() + "/users/7").build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.protocol()).isEqualTo(Protocol.HTTP_2);
        assertThat(r.body().string()).contains("\"id\":7");
      }
      try (Response r = client(trust, Protocol.HTTP_1_1).newCall(new Request.Builder().url(b.url() + "/users/8").build())
          .execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.protocol()).isEqualTo(Protocol.HTTP_1_1);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aClientThatDoesNotTrustTheCaFailsTheHandshake(Engine engine) {
    try (MockBackend b = backend(engine).start()) {
      HandshakeCertificates other = MockTls.generate("127.0.0.1").clientHandshake();
      assertThatThrownBy(() -> client(other).newCall(new Request.Builder().url(b.url() + "/users/1").build()).execute())
          .isInstanceOf(SSLHandshakeException.class);
      assertThat(b.stats().completed()).isZero();
    }
  }

  @Test
  void servesAGivenCertificateAndWritesItsCa(@TempDir Path dir) throws IOException {
    MockTls made = MockTls.generate("127.0.0.1");
    String pem = okhttp3.tls.Certificates.certificatePem(made.chain()[0])
        + okhttp3.tls.Certificates.certificatePem(made.chain()[1])
        + made.serverCertificate().privateKeyPkcs8Pem();
    Path file = dir.resolve("server.pem");
    Files.writeString(file, pem);
    MockTls given = MockTls.fromPemFile(file);
    assertThat(given.caCertificate()).isEqualTo(made.caCertificate());
    Path ca = dir.resolve("ca.pem");
    given.writeCaCertificate(ca);
    HandshakeCertificates trust = new HandshakeCertificates.Builder()
        .addTrustedCertificate(okhttp3.tls.Certificates.decodeCertificatePem(Files.readString(ca))).build();
    try (MockBackend b = MockBackend.builder().latency(Latency.fixed(Duration.ZERO)).tls(given).start();
        Response r = client(trust).newCall(new Request.Builder().url(b.url() + "/users/1").build()).execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  @Test
  void aMissingPemFileIsNamedAsMissing(@TempDir Path dir) {
    Path missing = dir.resolve("server.pem");
    assertThatThrownBy(() -> MockTls.fromPemFile(missing))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessage("cannot read " + missing + ": no such file");
  }

  @Test
  void aPemWithoutAKeyIsRejectedNamingIt() {
    String cert = okhttp3.tls.Certificates.certificatePem(MockTls.generate("localhost").caCertificate());
    assertThatThrownBy(() -> MockTls.fromPem(cert))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PRIVATE KEY");
  }

  @Test
  void aStreamLimitNeedsNettyAndTlsExcludesPriorKnowledge() {
    assertThatThrownBy(() -> MockBackend.builder().maxConcurrentStreams(128).start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrentStreams 128 needs Engine.NETTY");
    assertThatThrownBy(() -> MockBackend.builder().tls(true).http2PriorKnowledge(true).start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ALPN");
  }

  /** Once a connection is pooled, a client multiplexes onto it up to the announced limit and no further. */
  @Test
  void nettyAnnouncesItsStreamLimitAndClientsOpenMoreConnectionsAboveIt() throws Exception {
    try (MockBackend b = backend(Engine.NETTY).maxConcurrentStreams(4).latency(Latency.fixed(Duration.ofMillis(300)))
        .start()) {
      OkHttpClient c = client(b.tlsCertificates().clientHandshake());
      try (Response r = c.newCall(new Request.Builder().url(b.url() + "/users/0").build()).execute()) {
        assertThat(r.protocol()).isEqualTo(Protocol.HTTP_2);
      }
      List<CompletableFuture<Integer>> calls = new ArrayList<>();
      for (int i = 1; i <= 12; i++) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        c.newCall(new Request.Builder().url(b.url() + "/users/" + i).build()).enqueue(new Callback() {
          @Override
          public void onFailure(Call call, IOException e) {
            f.completeExceptionally(e);
          }

          @Override
          public void onResponse(Call call, Response response) {
            try (response) {
              f.complete(response.code());
            }
          }
        });
        calls.add(f);
      }
      for (CompletableFuture<Integer> f : calls) assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(200);
      // without the limit all 12 go on the pooled connection; with 4, at least 3 connections carry them
      assertThat(b.connectionStats().accepted()).isGreaterThanOrEqualTo(3);
    }
  }

  @Test
  void nettySendsItsSettingsAndGoawayOnShutdown() throws Exception {
    MockBackend b = backend(Engine.NETTY).maxConcurrentStreams(128).start();
    try (SSLSocket s = (SSLSocket) b.tlsCertificates().clientHandshake().sslSocketFactory()
        .createSocket("127.0.0.1", b.port())) {
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      assertThat(s.getApplicationProtocol()).isEqualTo("h2");
      OutputStream out = s.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      long announced = -1;
      boolean sawGoaway = false;
      boolean closed = false;
      while (!sawGoaway) {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        in.readInt(); // stream id
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == 4 && (flags & 1) == 0) { // SETTINGS, not an ACK
          for (int i = 0; i + 6 <= length; i += 6) {
            int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
            long value = ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xff) << 16)
                | ((payload[i + 4] & 0xff) << 8) | (payload[i + 5] & 0xff);
            if (id == 3) announced = value;
          }
          if (!closed) {
            closed = true;
            CompletableFuture.runAsync(b::close); // the server shuts down with this connection open
          }
        }
        if (type == 7) sawGoaway = true;
      }
      assertThat(announced).isEqualTo(128);
      assertThat(sawGoaway).isTrue();
    } finally {
      b.close();
    }
  }
}
