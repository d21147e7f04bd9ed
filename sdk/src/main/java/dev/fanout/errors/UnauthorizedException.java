package dev.fanout.errors;

import java.util.List;
import java.util.Map;

/** The server rejected the request's credentials (HTTP 401): the API key is missing, wrong or expired. */
public class UnauthorizedException extends ServiceException {
  public UnauthorizedException(
      String message,
      int statusCode,
      String method,
      String url,
      Map<String, List<String>> headers,
      String body) {
    super(message, statusCode, method, url, headers, body);
  }
}
