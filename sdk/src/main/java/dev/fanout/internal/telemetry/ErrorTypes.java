package dev.fanout.internal.telemetry;

import dev.fanout.errors.ServiceException;
import dev.fanout.errors.TransportException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

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
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
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
}
