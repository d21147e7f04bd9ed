package dev.fanout.internal;

import dev.fanout.FanoutClock;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.TransportException;
import dev.fanout.internal.governor.RateLimitHeaders;
import dev.fanout.internal.telemetry.GenAiResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;

/**
 * One request of a call on the wire: its OkHttp {@link Call}, its callback, and the mapping of what came
 * back to the call's outcome. A non-2xx response or a wire failure becomes the attempt's error (the
 * {@link HedgeRace} decides whether that fails the attempt); a 2xx response first claims the race, and only
 * the winning request runs the call's handler, on the OkHttp thread, before it finishes the call. Its permit
 * hears the response (and the tokens used) exactly once; its {@link CallEvents.Leg} hears its status and its
 * end once.
 */
final class Exchange<T> implements Callback {
  private final LogicalCall<T> owner;
  private final HedgeRace race;
  private final int attempt;
  /** 0 for the attempt's first request, 1.. for its hedges. */
  final int leg;
  private final AttemptGate.Permit permit;
  /** What happens to this request, told to the call's one event stream. */
  final CallEvents.Leg events;
  final Call call;
  private volatile FanoutClock.Timer timer;
  private volatile boolean timedOut;
  /** Another request of the attempt claimed the response, and this one was cancelled for it. */
  private volatile boolean lost;
  private final AtomicBoolean ended = new AtomicBoolean();

  Exchange(LogicalCall<T> owner, HedgeRace race, int leg, AttemptGate.Permit permit, CallEvents.Leg events,
      Call call) {
    this.owner = owner;
    this.race = race;
    this.attempt = race.attempt;
    this.leg = leg;
    this.permit = permit;
    this.events = events;
    this.call = call;
  }

  /** Starts the attempt timer, which cancels this request when it passes. */
  void startTimer(FanoutClock clock, Duration timeout) {
    timer = clock.schedule(timeout, () -> {
      timedOut = true;
      call.cancel();
    });
  }

  void cancelTimer() {
    FanoutClock.Timer t = timer;
    if (t != null) {
      t.cancel();
    }
  }

  /** Another request of the attempt claimed the response: this one is cancelled, and ends as cancelled. */
  void lose() {
    lost = true;
    cancelTimer();
    call.cancel();
  }

  /**
   * Ends this request, once, before its outcome can start another call or finish this one: its end is told to
   * the call's events ({@code error} null when its response was read to the end) and it is counted out of the
   * engine's in flight.
   */
  private void end(Throwable error) {
    if (ended.compareAndSet(false, true)) {
      events.ended(error);
      owner.engine().inFlight().ended();
    }
  }

  @Override
  public void onFailure(Call call, IOException e) {
    cancelTimer();
    Duration attemptTimeout = owner.engine().attemptTimeout();
    FanoutException error = timedOut
        ? new FanoutTimeoutException(owner.label() + ": attempt " + attempt
            + " did not finish within the attemptTimeout (" + attemptTimeout.toMillis() + " ms)", attemptTimeout, e)
        : transport(e);
    // A request cancelled because another of the attempt answered, or because the call ended (the caller's
    // cancel, the deadline), ends as that cancel, which is no error of its own unless the call failed
    Throwable told = error;
    if (!timedOut && call.isCanceled()) {
      if (lost) {
        told = new FanoutCancelledException(owner.label() + ": attempt " + attempt + " was answered by another of"
            + " its requests");
      } else if (owner.ending()) {
        told = owner.cancelledBecause();
      }
    }
    end(told);
    permit.onFailure(error);
    if (owner.ending()) {
      return;
    }
    if (e instanceof HandOff.RefusedException) {
      owner.notSent(attempt, e.getMessage()); // a cancel or close came first: never written, never retried
      return;
    }
    boolean retryable = owner.spec().policy().retriesError(error);
    if (race.failed(this, error, retryable, null, -1)) {
      owner.attemptFailed(error, retryable, null, -1);
    }
  }

  @Override
  public void onResponse(Call call, Response response) {
    cancelTimer();
    permit.onResponse(response);
    events.responded(response.code(), response.protocol());
    Throwable attemptError = null;
    try (response) {
      if (owner.isDone()) {
        end(null);
        return;
      }
      int code = response.code();
      if (!response.isSuccessful()) {
        Duration retryAfter = RateLimitHeaders.retryAfter(response.headers(), owner.engine().clock()).orElse(null);
        boolean retryable = owner.spec().policy().retriesResponse(code, response.header("x-should-retry"));
        ServiceException error = Errors.fromResponse(response, retryAfter);
        if (retryable && Errors.isSpendCap(error)) {
          retryable = false; // a retry fails until the cap lifts, next month
        }
        end(null); // before the call can finish: its status was told by responded(code)
        if (race.failed(this, error, retryable, retryAfter, code)) {
          owner.attemptFailed(error, retryable, retryAfter, code);
        }
        return;
      }
      if (!race.claim(this)) {
        end(null); // another request of the attempt won: this body is closed unread
        return;
      }
      T value = owner.spec().handler().handle(response, owner.handlerContext());
      reportUsage();
      end(null);
      owner.finish(value, null);
    } catch (IOException e) {
      attemptError = e;
      end(e);
      if (!owner.isDone()) {
        TransportException error = transport(e);
        owner.attemptFailed(error, owner.spec().policy().retriesError(error), null, response.code());
      }
    } catch (ServiceException e) {
      // An error the stream carried after its 200 (Anthropic's error event): decided as a response of the
      // status it stands for would be (an overloaded_error as a 529), and retried only if nothing of the
      // stream was delivered. No status is passed: the gate saw a 200, so it has paused for no 429.
      attemptError = e;
      end(e);
      if (!owner.isDone()) {
        owner.attemptFailed(e, owner.spec().policy().retriesStatus(e.statusCode()), null, -1);
      }
    } catch (FanoutException e) {
      attemptError = e;
      end(e);
      owner.finish(null, e);
    } catch (RuntimeException e) {
      attemptError = e;
      end(e);
      owner.finish(null, new DecodeException(owner.label() + ": " + e, e));
    } finally {
      // ended once, before the call could finish, on every path above; this one is for a path that did not
      end(attemptError);
    }
  }

  /** Tells the gate the tokens the response body reported, so a token estimate is corrected. */
  private void reportUsage() {
    GenAiResponse r = owner.handlerContext().genAiResponse();
    if (r == null || (r.inputTokens().isEmpty() && r.outputTokens().isEmpty())) {
      return;
    }
    try {
      // Per kind, input as the input-token limits count it (cache reads left out), so each ledger is corrected
      permit.onUsage(r.rateLimitedInputTokens().orElse(0), r.outputTokens().orElse(0));
    } catch (RuntimeException e) {
      HttpEngine.LOG.warn("the attempt gate failed to take the usage of {}", owner.label(), e);
    }
  }

  /** What the wire failure says, with the request's credentials taken out (a status line can echo them). */
  private TransportException transport(IOException e) {
    Redaction.Secrets secrets = Redaction.Secrets.of(owner.spec().request());
    String m = e.getMessage();
    String described = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    okhttp3.HttpUrl url = owner.spec().request().url();
    String host = url.host() + ":" + url.port();
    dev.fanout.errors.ConnectionSetupException.Reason reason = setupFailure(e);
    if (reason != null) {
      // through an HTTP proxy the client connects to the proxy and resolves only its name; TLS is with the server
      java.net.Proxy proxy = owner.engine().okHttp().proxy();
      if (reason != dev.fanout.errors.ConnectionSetupException.Reason.TLS_HANDSHAKE && proxy != null
          && proxy.address() instanceof java.net.InetSocketAddress a) {
        host = a.getHostString() + ":" + a.getPort();
      }
      String why = switch (reason) {
        case TLS_HANDSHAKE -> "the TLS handshake with " + host + " failed" + tlsHint(e, url.host());
        case UNKNOWN_HOST -> "the host " + host.substring(0, host.lastIndexOf(':'))
            + (proxy != null ? " of the proxy" : "") + " is unknown (the name does not resolve)";
        case CONNECTION_REFUSED -> (proxy != null ? "the proxy " : "") + host
            + " refused the connection (nothing listens there)";
        case PROXY_AUTHENTICATION -> "authentication with the proxy " + host + " failed";
        case PROXY_DENIED -> "the proxy " + host + " refused to open a tunnel to " + url.host() + ":" + url.port()
            + " (its access rules may not allow this host or port)";
      };
      return new dev.fanout.errors.ConnectionSetupException(owner.label() + ": " + why + ": "
          + secrets.redact(described), secrets.scrub(e), host, reason);
    }
    java.net.Proxy proxy = owner.engine().okHttp().proxy();
    if (m != null && m.startsWith(CONNECT_REFUSED_PREFIX) && proxy != null
        && proxy.address() instanceof java.net.InetSocketAddress a) {
      // a 5xx (or 408, 429) to CONNECT: retryable, but OkHttp's words name neither the proxy nor the server
      return new TransportException(owner.label() + ": the proxy " + a.getHostString() + ":" + a.getPort()
          + " could not open a tunnel to " + host + ": " + secrets.redact(described), secrets.scrub(e));
    }
    return new TransportException(owner.label() + ": " + secrets.redact(described), secrets.scrub(e));
  }

  /**
   * What a failed TLS handshake most likely needs: a certificate that names the host, when the certificate was
   * trusted but is for another name (OkHttp's host name check); the issuer's CA among the trusted ones, when its
   * chain could not be validated; nothing more where the failure says neither (TLS not spoken, no common
   * protocol or cipher), its cause then follows in the message.
   */
  private static String tlsHint(Throwable e, String hostName) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLPeerUnverifiedException && t.getMessage() != null
          && t.getMessage().contains(" not verified")) {
        return " (its certificate is trusted but not issued for " + hostName + ": check the base URL's host name)";
      }
      if (t instanceof java.security.cert.CertPathValidatorException
          || t instanceof java.security.cert.CertificateException
          || t instanceof java.security.cert.CertPathBuilderException) {
        return " (is its certificate's CA trusted? see trustedCertificatesPem)";
      }
      if (t instanceof javax.net.ssl.SSLException && t.getMessage() != null) {
        if (t.getMessage().startsWith("Received fatal alert")) {
          return " (the server refused the handshake; a server with no certificate for the name the client sent,"
              + " or for none when the base URL's host is an address, answers so)";
        }
        if (t.getMessage().startsWith("Unsupported or unrecognized SSL message")) {
          return " (the server did not answer in TLS: is it plain HTTP there? check the base URL's scheme and port)";
        }
      }
    }
    return "";
  }

  /** Why a connection could not be set up, if the failure (or one of its causes) says; null otherwise. */
  static dev.fanout.errors.ConnectionSetupException.Reason setupFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLHandshakeException || t instanceof javax.net.ssl.SSLPeerUnverifiedException
          || t instanceof java.security.cert.CertificateException || t instanceof java.security.cert.CertPathValidatorException) {
        return dev.fanout.errors.ConnectionSetupException.Reason.TLS_HANDSHAKE;
      }
      if (t instanceof javax.net.ssl.SSLException ssl && refusedInHandshake(ssl)) {
        return dev.fanout.errors.ConnectionSetupException.Reason.TLS_HANDSHAKE;
      }
      // OkHttp's words for a CONNECT the proxy answered 401 (as tinyproxy does to wrong credentials) or 407
      if (t instanceof Tls.ProxyRefusedException || (t.getMessage() != null
          && (t.getMessage().equals("Unexpected response code for CONNECT: 401")
              || t.getMessage().equals("Unexpected response code for CONNECT: 407")))) {
        return dev.fanout.errors.ConnectionSetupException.Reason.PROXY_AUTHENTICATION;
      }
      if (refusedTunnel(t)) {
        return dev.fanout.errors.ConnectionSetupException.Reason.PROXY_DENIED;
      }
      if (t instanceof java.net.UnknownHostException) {
        return dev.fanout.errors.ConnectionSetupException.Reason.UNKNOWN_HOST;
      }
      if (t instanceof java.net.ConnectException && !(t instanceof java.net.SocketTimeoutException)
          && t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused")) {
        return dev.fanout.errors.ConnectionSetupException.Reason.CONNECTION_REFUSED;
      }
      if (t.getCause() == t) break;
    }
    return null;
  }

  private static final String CONNECT_REFUSED_PREFIX = "Unexpected response code for CONNECT: ";

  /**
   * True for OkHttp's words for a {@code CONNECT} the proxy answered with a {@code 4xx} a retry does not change
   * (Squid's {@code 403} for a destination its rules deny); {@code 408} and {@code 429} may pass, and a
   * {@code 5xx} (the proxy could not reach the server) stays a retryable transport failure.
   */
  static boolean refusedTunnel(Throwable t) {
    String m = t.getMessage();
    if (!(t instanceof IOException) || m == null || !m.startsWith(CONNECT_REFUSED_PREFIX)) return false;
    int code;
    try {
      code = Integer.parseInt(m.substring(CONNECT_REFUSED_PREFIX.length()).trim());
    } catch (NumberFormatException e) {
      return false;
    }
    return code >= 400 && code < 500 && code != 408 && code != 429;
  }

  /**
   * True for a TLS failure the handshake itself decided, which a retry does not change: the server's fatal alert
   * (Go's TLS, so Caddy, answers {@code internal_error} when it has no certificate for the name the client sent,
   * and the JDK reports that alert as a plain {@code SSLException}, not an {@code SSLHandshakeException}), or an
   * answer that is not TLS at all (a plain HTTP port). Such failures are raised under {@code
   * SSLSocket.startHandshake}, which OkHttp calls to set a connection up. An I/O failure under the handshake (a
   * reset: the exception's cause is an {@code IOException}), and any {@code SSLException} on a connection already
   * set up, stay retryable transport failures.
   */
  static boolean refusedInHandshake(javax.net.ssl.SSLException e) {
    if (e.getCause() instanceof IOException) return false;
    for (StackTraceElement frame : e.getStackTrace()) {
      if (frame.getMethodName().equals("startHandshake")) return true;
    }
    return false;
  }
}
