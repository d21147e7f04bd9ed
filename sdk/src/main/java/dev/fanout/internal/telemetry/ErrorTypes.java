package dev.fanout.internal.telemetry;

import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.TransportException;
import dev.fanout.internal.Futures;
import java.io.IOException;
import java.util.concurrent.CancellationException;

/**
 * The value of the {@code error.type} attribute for a failure, as the HTTP semantic conventions ask: the
 * status code for an HTTP error response ({@code "429"}), otherwise the fully qualified class name of the
 * exception (for a transport failure, the {@link IOException} underneath, such as
 * {@code java.net.SocketTimeoutException}).
 */
public final class ErrorTypes {
  private ErrorTypes() {}

  /** Returns {@code error.type} for {@code error} (never null; {@code _OTHER} for a null error). */
  public static String of(Throwable error) {
    Throwable e = Futures.unwrap(error);
    if (e == null) {
      return "_OTHER";
    }
    if (e instanceof ServiceException) {
      return Integer.toString(((ServiceException) e).statusCode());
    }
    if (e instanceof TransportException && e.getCause() instanceof IOException) {
      return e.getCause().getClass().getName();
    }
    return e.getClass().getName();
  }

  /**
   * Returns true if {@code error} is a cancel the caller asked for (a cancelled future, fan-out, scope or
   * stream, a combinator whose outcome was already decided, a closed client): the HTTP conventions ask that
   * such a call's span be no error, with no {@code error.type}.
   */
  public static boolean isCancellation(Throwable error) {
    Throwable e = Futures.unwrap(error);
    return e instanceof FanoutCancelledException || e instanceof CancellationException;
  }
}
