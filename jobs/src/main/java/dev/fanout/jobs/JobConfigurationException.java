package dev.fanout.jobs;

import dev.fanout.errors.ConnectionSetupException;
import dev.fanout.errors.UnauthorizedException;
import java.util.Objects;

/**
 * A job stopped because a request failed in a way that says the run is misconfigured, not the line: the
 * connection to the server could not be set up ({@link ConnectionSetupException}: the connection was refused,
 * the host name does not resolve, the certificate is not trusted, the proxy refused its credentials), or the
 * server refused the API key ({@link UnauthorizedException}, HTTP 401). Every other request would fail the
 * same way, so none of them is written as a failed result.
 *
 * <p>The results answered before the stop are in the output; the request that failed, and every other that
 * failed the same way, are not, so the same job run again (once the base URL or the key is fixed) sends each
 * of them. {@link #getCause()} is the client's exception; {@link #summary()} counts what was written. The
 * message names the host or the status and what to check; it never holds the API key (the client's
 * exceptions have it taken out).
 */
public final class JobConfigurationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient JobSummary summary;
  private final long notWritten;

  JobConfigurationException(RuntimeException cause, String host, JobSummary summary, long notWritten) {
    super(describe(cause, host), cause);
    this.summary = Objects.requireNonNull(summary, "summary == null");
    this.notWritten = notWritten;
  }

  /** Returns whether {@code error} (unwrapped) says the run is misconfigured: see the class's description. */
  static boolean isConfigurationError(Throwable error) {
    return error instanceof ConnectionSetupException || error instanceof UnauthorizedException;
  }

  private static String describe(RuntimeException cause, String host) {
    if (cause instanceof UnauthorizedException) {
      return "the server at " + host + " refused the API key: " + cause.getMessage()
          + "; check the API key (missing, mistyped, revoked, or for another organization or project)";
    }
    ConnectionSetupException e = (ConnectionSetupException) cause;
    String check = switch (e.reason()) {
      case CONNECTION_REFUSED -> "check the base URL's host and port, and that the server is up";
      case UNKNOWN_HOST -> "check the base URL's host name";
      case TLS_HANDSHAKE -> "check the base URL's host name and that the server's certificate is trusted";
      case PROXY_AUTHENTICATION -> "check the proxy's credentials";
      case PROXY_DENIED -> "check that the proxy allows the base URL's host and port";
    };
    return e.getMessage() + "; " + check;
  }

  /** Returns what the job did before it stopped: the results written, the requests skipped. */
  public JobSummary summary() {
    return summary;
  }

  /** Returns the requests sent that failed this way and were not written (a rerun sends them again). */
  public long notWritten() {
    return notWritten;
  }
}
