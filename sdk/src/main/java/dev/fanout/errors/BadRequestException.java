package dev.fanout.errors;

/** The server rejected the request as malformed or invalid (HTTP 400). */
public class BadRequestException extends ServiceException {
  public BadRequestException(String message, ErrorResponse response) {
    super(message, response);
  }
}
