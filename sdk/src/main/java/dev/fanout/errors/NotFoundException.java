package dev.fanout.errors;

/** The server has no resource at the requested URL (HTTP 404). */
public class NotFoundException extends ServiceException {
  public NotFoundException(String message, ErrorResponse response) {
    super(message, response);
  }
}
