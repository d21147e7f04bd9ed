package dev.fanout.errors;

/** The server rejected the request's credentials (HTTP 401): the API key is missing, wrong or expired. */
public class UnauthorizedException extends ServiceException {
  public UnauthorizedException(String message, ErrorResponse response) {
    super(message, response);
  }
}
