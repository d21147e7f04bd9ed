package dev.fanout;

import java.time.Duration;
import java.util.Locale;
import okhttp3.HttpUrl;

/**
 * How a client reaches its server: the address, the API key and how it is sent, headers sent on every call,
 * TLS trust and client certificate, the proxy, HTTP/2 prior knowledge, socket timeouts and how long an idle
 * connection is kept. The first half of the options every client builder shares; {@link ClientOptionsBuilder}
 * adds what each call may do.
 *
 * <p>Every setter checks its argument and names a bad value in its {@link IllegalArgumentException} (the API
 * key's and passwords' values are never shown).
 *
 * @param <B> the concrete builder, returned by every setter
 */
abstract class ConnectionOptionsBuilder<B extends ConnectionOptionsBuilder<B>> {
  HttpUrl baseUrl;
  String apiKey;
  AuthScheme authScheme = FanoutClient.DEFAULT_AUTH_SCHEME;
  java.util.Map<String, String> defaultHeaders = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  Duration connectTimeout = FanoutClient.DEFAULT_CONNECT_TIMEOUT;
  Duration readTimeout = FanoutClient.DEFAULT_READ_TIMEOUT;
  Duration writeTimeout = FanoutClient.DEFAULT_WRITE_TIMEOUT;
  boolean http2PriorKnowledge;
  Duration keepAlive = FanoutClient.DEFAULT_KEEP_ALIVE;
  String trustedCertificatesPem;
  String clientCertificatePem;
  String proxy;
  String proxyUser;
  String proxyPassword;

  ConnectionOptionsBuilder() {}

  @SuppressWarnings("unchecked")
  final B self() {
    return (B) this;
  }

  /**
   * Sets the server's base URL, an absolute {@code http} or {@code https} URL such as
   * {@code http://localhost:8080} or {@code https://api.openai.com/v1}. Paths of calls are resolved under
   * it (a {@code /} is appended to its path if missing). Required; there is no default.
   */
  public B baseUrl(String baseUrl) {
    if (baseUrl == null) {
      throw new IllegalArgumentException("baseUrl == null");
    }
    if (baseUrl.isBlank()) {
      throw new IllegalArgumentException("baseUrl is blank: \"" + baseUrl + "\"");
    }
    String lower = baseUrl.strip().toLowerCase(Locale.ROOT);
    if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
      throw new IllegalArgumentException("baseUrl is not an absolute http(s) URL: " + baseUrl);
    }
    HttpUrl url = HttpUrl.parse(baseUrl.strip());
    if (url == null) {
      throw new IllegalArgumentException("baseUrl is not a valid URL: " + baseUrl);
    }
    return baseUrl(url);
  }

  /** Sets the server's base URL, as {@link #baseUrl(String)} does. Required; there is no default. */
  public B baseUrl(HttpUrl baseUrl) {
    if (baseUrl == null) {
      throw new IllegalArgumentException("baseUrl == null");
    }
    if (baseUrl.encodedQuery() != null || baseUrl.encodedFragment() != null) {
      throw new IllegalArgumentException("baseUrl must not have a query or fragment: " + baseUrl);
    }
    if (!baseUrl.username().isEmpty() || !baseUrl.password().isEmpty()) {
      throw new IllegalArgumentException("baseUrl must not carry credentials (use apiKey): "
          + baseUrl.newBuilder().username("").password("").build());
    }
    String path = baseUrl.encodedPath();
    this.baseUrl = path.endsWith("/") ? baseUrl : baseUrl.newBuilder().encodedPath(path + "/").build();
    return self();
  }

  /**
   * Sets the API key, sent on every call in the header of the {@link #authScheme(AuthScheme) auth scheme}
   * ({@code Authorization: Bearer <key>} by default); {@code null} sends none. The key never appears in {@code toString()}, logs or exception
   * messages. Defaults to null.
   */
  public B apiKey(String apiKey) {
    if (apiKey != null) {
      if (apiKey.isBlank()) {
        throw new IllegalArgumentException("apiKey is blank");
      }
      for (int i = 0; i < apiKey.length(); i++) {
        char c = apiKey.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          throw new IllegalArgumentException(
              "apiKey has a character not allowed in a header at index " + i + " (value not shown)");
        }
      }
    }
    this.apiKey = apiKey;
    return self();
  }

  /**
   * Sets the timeout for opening a connection, per attempt; zero means none. Defaults to
   * {@link FanoutClient#DEFAULT_CONNECT_TIMEOUT} (10 s).
   */
  public B connectTimeout(Duration connectTimeout) {
    this.connectTimeout = nonNegative(connectTimeout, "connectTimeout");
    return self();
  }

  /**
   * Sets the longest silence while reading a response, per attempt; zero means none. Defaults to
   * {@link FanoutClient#DEFAULT_READ_TIMEOUT} (60 s).
   */
  public B readTimeout(Duration readTimeout) {
    this.readTimeout = nonNegative(readTimeout, "readTimeout");
    return self();
  }

  /**
   * Sets the longest stall while writing a request, per attempt; zero means none. Defaults to
   * {@link FanoutClient#DEFAULT_WRITE_TIMEOUT} (60 s).
   */
  public B writeTimeout(Duration writeTimeout) {
    this.writeTimeout = nonNegative(writeTimeout, "writeTimeout");
    return self();
  }

  /**
   * Speaks HTTP/2 without TLS from the first byte (h2c prior knowledge), for servers known to support
   * it; the base URL must then be {@code http}. Over TLS, HTTP/2 is negotiated automatically whatever this
   * setting. Defaults to false.
   */
  public B http2PriorKnowledge(boolean http2PriorKnowledge) {
    this.http2PriorKnowledge = http2PriorKnowledge;
    return self();
  }

  /**
   * Sets how long a pooled connection may stay idle before this client closes it. Keep it under the
   * server's own keep-alive timeout, so that the client, not the server, ends an idle connection (a request
   * sent as the server closes fails; the SDK re-sends an idempotent one at once, see
   * {@code docs/reliability.md}, but a {@code POST} without an {@code Idempotency-Key} costs an attempt).
   * Ignored with a caller's {@link FanoutClient.Builder#okHttpClient OkHttp client}, whose pool stays as the
   * caller built it. Defaults to {@link FanoutClient#DEFAULT_KEEP_ALIVE} (4 s).
   *
   * @throws IllegalArgumentException if {@code keepAlive} is null, zero or negative
   */
  public B keepAlive(Duration keepAlive) {
    if (keepAlive == null) {
      throw new IllegalArgumentException("keepAlive == null");
    }
    if (keepAlive.isZero() || keepAlive.isNegative()) {
      throw new IllegalArgumentException("keepAlive <= 0: " + keepAlive);
    }
    this.keepAlive = keepAlive;
    return self();
  }

  /**
   * Sets how the API key is sent: {@link AuthScheme#BEARER} ({@code Authorization: Bearer}, OpenAI),
   * {@link AuthScheme#API_KEY} ({@code api-key}, Azure OpenAI) or {@link AuthScheme#X_API_KEY}
   * ({@code x-api-key}, Anthropic). Defaults to {@link FanoutClient#DEFAULT_AUTH_SCHEME} (BEARER).
   */
  public B authScheme(AuthScheme authScheme) {
    if (authScheme == null) {
      throw new IllegalArgumentException("authScheme == null");
    }
    this.authScheme = authScheme;
    return self();
  }

  /**
   * Adds a header sent on every call (Anthropic's {@code anthropic-version}, an organization or project id),
   * replacing an earlier one of the same name; a call's own {@link CallOptions.Builder#header headers} win
   * over it. Not for the API key: set that with {@link #apiKey(String)}, which keeps it out of every output.
   * Defaults to none.
   */
  public B defaultHeader(String name, String value) {
    if (name == null || value == null) {
      throw new IllegalArgumentException("default header " + name + " == null or its value is");
    }
    try {
      okhttp3.Headers.of(name, value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("default header " + name + " is not a valid header: " + e.getMessage(), e);
    }
    if (name.equalsIgnoreCase("authorization") || name.equalsIgnoreCase("api-key") || name.equalsIgnoreCase("x-api-key")) {
      throw new IllegalArgumentException("default header " + name + " would carry a key: set it with apiKey and "
          + "authScheme, which keep it out of every output");
    }
    defaultHeaders.put(name, value);
    return self();
  }

  /** Replaces every default header with {@code headers} (see {@link #defaultHeader}). Defaults to none. */
  public B defaultHeaders(java.util.Map<String, String> headers) {
    if (headers == null) {
      throw new IllegalArgumentException("defaultHeaders == null");
    }
    defaultHeaders.clear();
    headers.forEach(this::defaultHeader);
    return self();
  }

  /**
   * Trusts the CA certificates in {@code pem} ({@code -----BEGIN CERTIFICATE-----} blocks), in addition to
   * the JDK's trusted CAs: a private CA, a corporate TLS-inspecting proxy's CA, a test server's. {@code null}
   * trusts the JDK's only. The text is kept (not a file name), so a spec carries it to every machine that
   * builds a client from it. Defaults to null.
   */
  public B trustedCertificatesPem(String pem) {
    if (pem != null) {
      dev.fanout.internal.Tls.decodeCertificates(pem, "trustedCertificatesPem");
    }
    this.trustedCertificatesPem = pem;
    return self();
  }

  /** Reads {@link #trustedCertificatesPem(String)}'s PEM from {@code file} now. */
  public B trustedCertificates(java.nio.file.Path file) {
    return trustedCertificatesPem(dev.fanout.internal.Tls.read(file, "trustedCertificates"));
  }

  /**
   * Presents a client certificate (mutual TLS): {@code pem} holds the certificate, then any intermediates
   * ({@code -----BEGIN CERTIFICATE-----} blocks), and its PKCS #8 private key ({@code -----BEGIN PRIVATE
   * KEY-----}). The key is kept in the spec like the API key and never shown. Defaults to null (none).
   */
  public B clientCertificatePem(String pem) {
    if (pem != null) {
      dev.fanout.internal.Tls.decodeHeld(pem, "clientCertificatePem");
    }
    this.clientCertificatePem = pem;
    return self();
  }

  /**
   * Sends every call through the HTTP proxy at {@code hostPort} ({@code proxy.corp:3128}); HTTPS goes
   * through it with {@code CONNECT}. {@code null} uses none (the JVM's {@code ProxySelector} is not
   * consulted). Defaults to null.
   */
  public B proxy(String hostPort) {
    if (hostPort != null) {
      dev.fanout.internal.Tls.proxyAddress(hostPort);
    }
    this.proxy = hostPort;
    return self();
  }

  /**
   * Sends Basic credentials to the proxy from the first try: with every {@code CONNECT} (HTTPS) and with every
   * plain-HTTP request, which the proxy reads as it is; never with a request inside an HTTPS tunnel, which
   * reaches the server. A {@code 407} to credentials sent, or to a client without any, fails the call at once
   * with a {@link dev.fanout.errors.ConnectionSetupException} naming the proxy. The password is never shown.
   * {@code null} for both sends none. Defaults to none.
   */
  public B proxyCredentials(String user, String password) {
    if ((user == null) != (password == null)) {
      throw new IllegalArgumentException("proxyCredentials: user and password are both set or both null");
    }
    this.proxyUser = user;
    this.proxyPassword = password;
    return self();
  }

  /** Returns {@code d}; fails naming {@code name} if it is null or negative ({@code "readTimeout < 0: PT-1S"}). */
  static Duration nonNegative(Duration d, String name) {
    if (d == null) {
      throw new IllegalArgumentException(name + " == null");
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " < 0: " + d);
    }
    return d;
  }
}
