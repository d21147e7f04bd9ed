package dev.fanout.errors;

import java.util.List;
import java.util.Map;

/** The server failed while handling the request (HTTP 5xx). Retried by the default {@link dev.fanout.RetryPolicy}. */
public class ServerException extends ServiceException {
  public ServerException(
      String message,
      int statusCode,
      String method,
      String url,
      Map<String, List<String>> headers,
      String body) {
    super(message, statusCode, method, url, headers, body);
  }
}
