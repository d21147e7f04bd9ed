package dev.fanout.errors;

import java.util.List;
import java.util.Map;

/** The server rejected the request as malformed or invalid (HTTP 400). */
public class BadRequestException extends ServiceException {
  public BadRequestException(
      String message,
      int statusCode,
      String method,
      String url,
      Map<String, List<String>> headers,
      String body) {
    super(message, statusCode, method, url, headers, body);
  }
}
