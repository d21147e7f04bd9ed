package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.List;
import javax.net.SocketFactory;
import okhttp3.Address;
import okhttp3.Authenticator;
import okhttp3.CertificatePinner;
import okhttp3.Connection;
import okhttp3.ConnectionSpec;
import okhttp3.Credentials;
import okhttp3.Dns;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Route;
import org.junit.jupiter.api.Test;

/**
 * Which requests carry the proxy credentials from the first try: a plain request to an HTTP proxy does (the
 * proxy reads it as it is); a request inside an HTTPS tunnel never does (it reaches the server).
 */
final class TlsProxyCredentialsTest {
  private static final String CREDENTIAL = Credentials.basic("svc", "proxy-pw-0123456789");

  @Test
  void aPlainRequestToAnHttpProxyCarriesThem() {
    Request sent = Tls.withProxyCredentials(request("http://api.example.test/users/1"),
        connection(java.net.Proxy.Type.HTTP), CREDENTIAL);
    assertThat(sent.header("Proxy-Authorization")).isEqualTo(CREDENTIAL);
  }

  @Test
  void aRequestInsideAnHttpsTunnelNeverDoes() {
    Request sent = Tls.withProxyCredentials(request("https://api.example.test/users/1"),
        connection(java.net.Proxy.Type.HTTP), CREDENTIAL);
    assertThat(sent.header("Proxy-Authorization")).isNull();
  }

  @Test
  void aDirectConnectionDoesNot() {
    Request sent = Tls.withProxyCredentials(request("http://api.example.test/users/1"),
        connection(java.net.Proxy.Type.DIRECT), CREDENTIAL);
    assertThat(sent.header("Proxy-Authorization")).isNull();
  }

  private static Request request(String url) {
    return new Request.Builder().url(url).build();
  }

  /** A stand-in connection whose route goes through a proxy of {@code type}. */
  private static Connection connection(java.net.Proxy.Type type) {
    java.net.Proxy proxy = type == java.net.Proxy.Type.DIRECT
        ? java.net.Proxy.NO_PROXY : new java.net.Proxy(type, InetSocketAddress.createUnresolved("proxy.test", 3128));
    Address address = new Address("api.example.test", 80, Dns.SYSTEM, SocketFactory.getDefault(), null, null,
        CertificatePinner.DEFAULT, Authenticator.NONE, proxy, List.of(Protocol.HTTP_1_1),
        List.of(ConnectionSpec.CLEARTEXT), java.net.ProxySelector.getDefault());
    Route route = new Route(address, proxy, InetSocketAddress.createUnresolved("proxy.test", 3128));
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (self, method, args) -> method.getName().equals("route") ? route : null);
  }
}
