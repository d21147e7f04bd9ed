package dev.fanout.mock;

import dev.fanout.common.IoErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * The certificates a TLS mock backend serves with: a server certificate and its private key, and the CA
 * certificate a client must trust to accept it. {@link #generate(String)} makes a fresh CA and a server
 * certificate signed by it for {@code localhost}, {@code 127.0.0.1}, {@code ::1} and the bound host;
 * {@link #fromPem(String)} serves a certificate you give.
 *
 * <p>The CA's private key is dropped once the server certificate is signed: nothing else can be issued
 * under a generated CA, so trusting it trusts this backend only.
 */
public final class MockTls {
  private final HeldCertificate server;
  private final X509Certificate[] chain;
  private final X509Certificate ca;

  private MockTls(HeldCertificate server, X509Certificate[] chain, X509Certificate ca) {
    this.server = server;
    this.chain = chain;
    this.ca = ca;
  }

  /**
   * Generates a CA and a server certificate it signs, valid for a day, for {@code localhost}, the loopback
   * addresses and {@code host} (a name or an address).
   */
  public static MockTls generate(String host) {
    HeldCertificate root = new HeldCertificate.Builder()
        .certificateAuthority(0)
        .commonName("Fanout mock CA")
        .organizationalUnit("fanout-mock-server")
        .build();
    HeldCertificate.Builder b = new HeldCertificate.Builder()
        .signedBy(root)
        .commonName("localhost")
        .addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName("127.0.0.1")
        .addSubjectAlternativeName("::1");
    if (host != null && !host.isBlank() && !host.equals("localhost") && !host.equals("127.0.0.1")) {
      b.addSubjectAlternativeName(host);
      try {
        InetAddress a = InetAddress.getByName(host);
        if (!a.getHostAddress().equals(host)) b.addSubjectAlternativeName(a.getHostAddress());
      } catch (IOException e) {
        // a name that does not resolve is served as given; binding it fails first anyway
      }
    }
    HeldCertificate server = b.build();
    return new MockTls(server, new X509Certificate[] {server.certificate(), root.certificate()}, root.certificate());
  }

  /**
   * Serves a certificate you give: {@code pem} holds the server certificate, then any intermediates and the
   * CA ({@code -----BEGIN CERTIFICATE-----} blocks, the server's first), and its private key ({@code
   * -----BEGIN PRIVATE KEY-----}, PKCS #8). The last certificate is the one {@link #caCertificatePem()}
   * returns.
   *
   * @throws IllegalArgumentException naming what is missing or malformed
   */
  public static MockTls fromPem(String pem) {
    if (pem == null) throw new IllegalArgumentException("pem == null");
    int key = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    if (key < 0) throw new IllegalArgumentException("no '-----BEGIN PRIVATE KEY-----' block (PKCS #8) in the PEM");
    String keyBlock = pem.substring(key, pem.indexOf("-----END PRIVATE KEY-----", key) + "-----END PRIVATE KEY-----".length());
    String certs = pem.substring(0, key) + pem.substring(key + keyBlock.length());
    java.util.List<X509Certificate> chain = new java.util.ArrayList<>();
    int at = 0;
    while (true) {
      int begin = certs.indexOf("-----BEGIN CERTIFICATE-----", at);
      if (begin < 0) break;
      int end = certs.indexOf("-----END CERTIFICATE-----", begin);
      if (end < 0) throw new IllegalArgumentException("unterminated CERTIFICATE block in the PEM");
      end += "-----END CERTIFICATE-----".length();
      try {
        chain.add(okhttp3.tls.Certificates.decodeCertificatePem(certs.substring(begin, end)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad CERTIFICATE block in the PEM: " + e.getMessage(), e);
      }
      at = end;
    }
    if (chain.isEmpty()) throw new IllegalArgumentException("no '-----BEGIN CERTIFICATE-----' block in the PEM");
    HeldCertificate server;
    try {
      server = HeldCertificate.decode(okhttp3.tls.Certificates.certificatePem(chain.get(0)) + keyBlock);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad PRIVATE KEY block in the PEM: " + e.getMessage(), e);
    }
    X509Certificate[] c = chain.toArray(new X509Certificate[0]);
    return new MockTls(server, c, c[c.length - 1]);
  }

  /** Reads {@link #fromPem(String)}'s format from {@code file}. */
  public static MockTls fromPemFile(Path file) {
    try {
      return fromPem(Files.readString(file, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + IoErrors.reason(e), e);
    }
  }

  /** The server's certificate and key. */
  public HeldCertificate serverCertificate() {
    return server;
  }

  /** The chain the server presents: its certificate first. */
  public X509Certificate[] chain() {
    return Arrays.copyOf(chain, chain.length);
  }

  /** The CA certificate a client trusts to accept this server. */
  public X509Certificate caCertificate() {
    return ca;
  }

  /** The CA certificate as PEM ({@code -----BEGIN CERTIFICATE-----}), for a client's trust settings. */
  public String caCertificatePem() {
    return okhttp3.tls.Certificates.certificatePem(ca);
  }

  /** Writes {@link #caCertificatePem()} to {@code file}, replacing it. */
  public void writeCaCertificate(Path file) {
    try {
      Files.writeString(file, caCertificatePem(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** The server side of the handshake (its certificate, key and chain). */
  public HandshakeCertificates serverHandshake() {
    X509Certificate[] intermediates = Arrays.copyOfRange(chain, 1, chain.length);
    return new HandshakeCertificates.Builder().heldCertificate(server, intermediates).build();
  }

  /** The client side: trusts this CA only (for OkHttp's {@code sslSocketFactory(…, trustManager())}). */
  public HandshakeCertificates clientHandshake() {
    return new HandshakeCertificates.Builder().addTrustedCertificate(ca).build();
  }

  @Override
  public String toString() {
    return "MockTls{" + server.certificate().getSubjectX500Principal().getName() + "}";
  }
}
