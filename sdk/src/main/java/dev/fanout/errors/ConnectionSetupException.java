package dev.fanout.errors;

import java.io.IOException;

/**
 * A connection to the server could not be set up for a reason that retrying will not change: the server's
 * certificate is not trusted (a private CA not in {@code trustedCertificatesPem}, a wrong host name), the
 * server refuses the TLS handshake or does not speak TLS, the host name does not resolve, the address refuses
 * connections, or the HTTP proxy refuses the credentials or a tunnel to the server. The message names the host
 * (the proxy's, when the connection to the proxy, its authentication or its tunnel failed) and the cause; the
 * default {@link dev.fanout.RetryPolicy} does not retry it, so a misconfigured client fails at once.
 */
public class ConnectionSetupException extends TransportException {
  /** Why the connection could not be set up. */
  public enum Reason {
    /**
     * The TLS handshake failed: the certificate is not trusted or does not match the host, the server refused the
     * handshake with a TLS alert (as a server with no certificate for the name asked does), or it does not speak TLS.
     */
    TLS_HANDSHAKE,
    /** The host name does not resolve. */
    UNKNOWN_HOST,
    /** Nothing listens at the address: the connection was refused. */
    CONNECTION_REFUSED,
    /**
     * The HTTP proxy asked for credentials ({@code 407}) and none were set, or it refused the ones set
     * ({@code 407}, or {@code 401} to a {@code CONNECT}; see {@code proxyCredentials}); {@link #host()} is the proxy.
     */
    PROXY_AUTHENTICATION,
    /**
     * The HTTP proxy refused to open a tunnel ({@code CONNECT}) to the server with a {@code 4xx} other than
     * {@code 401}, {@code 407}, {@code 408} and {@code 429}: Squid answers {@code 403} when its access rules deny
     * the server's host or port; {@link #host()} is the proxy.
     */
    PROXY_DENIED
  }

  private final String host;
  private final Reason reason;

  public ConnectionSetupException(String message, IOException cause, String host, Reason reason) {
    super(message, cause);
    this.host = host;
    this.reason = reason;
  }

  /**
   * The host and port the connection was for: the server's, or the HTTP proxy's when the proxy refused the
   * connection, the credentials or the tunnel, or its name did not resolve.
   */
  public String host() {
    return host;
  }

  /** Why it failed. */
  public Reason reason() {
    return reason;
  }
}
