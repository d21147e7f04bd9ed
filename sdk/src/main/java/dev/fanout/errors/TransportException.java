package dev.fanout.errors;

import java.io.IOException;

/**
 * The exchange failed on the wire: the connection could not be made, was reset or closed early, or a
 * connect/read/write timeout of a single attempt passed. The cause is the {@link IOException}. Retried by
 * the default {@link dev.fanout.RetryPolicy}.
 */
public class TransportException extends FanoutException {
  public TransportException(String message, IOException cause) {
    super(message, cause);
  }

  @Override
  public synchronized IOException getCause() {
    return (IOException) super.getCause();
  }
}
