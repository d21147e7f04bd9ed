package dev.fanout.errors;

import java.util.List;
import java.util.Map;

/** The server has no resource at the requested URL (HTTP 404). */
public class NotFoundException extends ServiceException {
  public NotFoundException(
      String message,
      int statusCode,
      String method,
      String url,
      Map<String, List<String>> headers,
      String body) {
    super(message, statusCode, method, url, headers, body);
  }
}
