package dev.fanout.errors;

/** The server failed while handling the request (HTTP 5xx). Retried by the default {@link dev.fanout.RetryPolicy}. */
public class ServerException extends ServiceException {
  public ServerException(String message, ErrorResponse response) {
    super(message, response);
  }
}
