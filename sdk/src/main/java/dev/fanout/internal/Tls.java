package dev.fanout.internal;

import dev.fanout.common.IoErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Connection;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * The TLS and proxy options applied to OkHttp: PEM certificates trusted beside the JDK's, a client
 * certificate, an HTTP proxy with Basic credentials. Each decoder names the option and what is wrong,
 * never the PEM's content.
 */
public final class Tls {
  private static final String BEGIN_CERT = "-----BEGIN CERTIFICATE-----";
  private static final String END_CERT = "-----END CERTIFICATE-----";
  private static final String BEGIN_KEY = "-----BEGIN PRIVATE KEY-----";
  private static final String END_KEY = "-----END PRIVATE KEY-----";

  private Tls() {}

  /** The certificates of {@code pem}, in order; at least one. */
  public static List<X509Certificate> decodeCertificates(String pem, String option) {
    List<X509Certificate> out = new ArrayList<>();
    int at = 0;
    while (true) {
      int begin = pem.indexOf(BEGIN_CERT, at);
      if (begin < 0) break;
      int end = pem.indexOf(END_CERT, begin);
      if (end < 0) throw new IllegalArgumentException(option + ": a CERTIFICATE block is not terminated");
      end += END_CERT.length();
      try {
        out.add(Certificates.decodeCertificatePem(pem.substring(begin, end)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(option + ": certificate " + (out.size() + 1) + " is not valid: "
            + e.getMessage(), e);
      }
      at = end;
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(option + ": no '" + BEGIN_CERT + "' block in the PEM");
    }
    return out;
  }

  /** The certificate and PKCS #8 key of {@code pem}, and its chain. */
  public static Held decodeHeld(String pem, String option) {
    int key = pem.indexOf(BEGIN_KEY);
    int keyEnd = key < 0 ? -1 : pem.indexOf(END_KEY, key);
    if (key < 0 || keyEnd < 0) {
      throw new IllegalArgumentException(option + ": no '" + BEGIN_KEY + "' block (PKCS #8) in the PEM");
    }
    keyEnd += END_KEY.length();
    List<X509Certificate> chain = decodeCertificates(pem.substring(0, key) + pem.substring(keyEnd), option);
    try {
      HeldCertificate held = HeldCertificate.decode(Certificates.certificatePem(chain.get(0)) + pem.substring(key, keyEnd));
      return new Held(held, chain.subList(1, chain.size()).toArray(new X509Certificate[0]));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": the private key is not valid: " + e.getMessage(), e);
    }
  }

  /** A client certificate with its key and intermediates. */
  public record Held(HeldCertificate certificate, X509Certificate[] intermediates) {}

  /** Reads a PEM file, naming the option and the file if it cannot. */
  public static String read(Path file, String option) {
    if (file == null) throw new IllegalArgumentException(option + " == null");
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + ": " + IoErrors.reason(e), e);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code host:port} as an unresolved address (resolved when a call connects). */
  public static InetSocketAddress proxyAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("proxy is not host:port: " + hostPort);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("proxy port is not a number: " + hostPort);
    }
    if (port < 1 || port > 65535) throw new IllegalArgumentException("proxy port out of range 1..65535: " + hostPort);
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return InetSocketAddress.createUnresolved(host, port);
  }

  /** Applies the options that are set to {@code ok}; nothing when none is. */
  public static void apply(OkHttpClient.Builder ok, String trustedPem, String clientPem, String proxy, String proxyUser,
      String proxyPassword) {
    if (trustedPem != null || clientPem != null) {
      HandshakeCertificates.Builder hc = new HandshakeCertificates.Builder().addPlatformTrustedCertificates();
      if (trustedPem != null) {
        for (X509Certificate c : decodeCertificates(trustedPem, "trustedCertificatesPem")) hc.addTrustedCertificate(c);
      }
      if (clientPem != null) {
        Held held = decodeHeld(clientPem, "clientCertificatePem");
        hc.heldCertificate(held.certificate(), held.intermediates());
      }
      HandshakeCertificates certificates = hc.build();
      ok.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
    }
    if (proxy != null) {
      ok.proxy(new Proxy(Proxy.Type.HTTP, proxyAddress(proxy)));
      String credential = proxyUser == null ? null : Credentials.basic(proxyUser, proxyPassword);
      ok.proxyAuthenticator((route, response) -> {
        if ("OkHttp-Preemptive".equals(response.header("Proxy-Authenticate"))) {
          // asked before a CONNECT is sent, with a made-up 407: send the credentials with it if there are any
          return credential == null ? null
              : response.request().newBuilder().header("Proxy-Authorization", credential).build();
        }
        // what was sent: the network request (a plain one carries the credentials from the network interceptor
        // below); the response's own request is the caller's, before any interceptor
        Request sent = response.networkResponse() != null ? response.networkResponse().request() : response.request();
        if (credential != null && sent.header("Proxy-Authorization") == null) {
          return response.request().newBuilder().header("Proxy-Authorization", credential).build();
        }
        response.close(); // OkHttp closes the 407 only once a follow-up request is returned
        throw new ProxyRefusedException(proxy, credential == null
            ? "asks for credentials (HTTP " + response.code() + ") and none are set: see proxyCredentials"
            : "refused the credentials of proxy user '" + proxyUser + "' (HTTP " + response.code() + ")");
      });
      if (credential != null) {
        ok.addNetworkInterceptor(chain -> chain.proceed(withProxyCredentials(chain.request(), chain.connection(),
            credential)));
      }
    }
  }

  /**
   * {@code request} with the proxy credentials when it goes to an HTTP proxy as it is (plain {@code http}), as
   * curl sends them, instead of after the proxy's {@code 407} to every request. A request inside an HTTPS
   * tunnel reaches the server, so it never carries them (its {@code CONNECT} carries them from the first try).
   */
  static Request withProxyCredentials(Request request, Connection connection, String credential) {
    if (request.isHttps() || connection == null || connection.route().proxy().type() != Proxy.Type.HTTP
        || request.header("Proxy-Authorization") != null) {
      return request;
    }
    return request.newBuilder().header("Proxy-Authorization", credential).build();
  }

  /**
   * The proxy answered {@code 407} to a request without credentials or with ones it refused. Thrown by the
   * proxy authenticator so the call fails at once, naming the proxy, instead of OkHttp's plain "Failed to
   * authenticate with proxy" (on a tunnel) or the proxy's {@code 407} page as the call's response.
   */
  static final class ProxyRefusedException extends IOException {
    ProxyRefusedException(String proxy, String what) {
      super("the proxy " + proxy + " " + what);
    }
  }
}
