package dev.fanout.internal;

import dev.fanout.errors.ErrorResponse;
import dev.fanout.errors.BadRequestException;
import dev.fanout.errors.NotFoundException;
import dev.fanout.errors.OverloadedException;
import dev.fanout.errors.RateLimitedException;
import dev.fanout.errors.ServerException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.UnauthorizedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.Request;
import okhttp3.Response;

/** Turns an error response into the matching {@link ServiceException} subtype. */
final class Errors {
  /** How much of an error body an exception keeps. */
  static final int MAX_ERROR_BODY_BYTES = 8 * 1024;
  /** How much of it the message shows. */
  private static final int MAX_MESSAGE_BODY_CHARS = 200;

  private Errors() {}

  /** @param retryAfter the wait the response asks for, parsed once by the caller
   *     ({@link dev.fanout.internal.governor.RateLimitHeaders#retryAfter}); may be null */
  static ServiceException fromResponse(Response response, Duration retryAfter) {
    Request request = response.request();
    // The key the request carried is taken out of everything the server sent back, before anything is cut:
    // a server may echo it (or part of it, escaped or encoded) in the body, the reason phrase or a header.
    Redaction.Secrets secrets = Redaction.Secrets.of(request);
    int code = response.code();
    String method = request.method();
    String url = Redaction.url(request);
    Map<String, List<String>> headers = Redaction.headers(response.headers(), secrets);
    String body = secrets.redact(Bodies.readPrefix(response.body(), MAX_ERROR_BODY_BYTES));

    StringBuilder m = new StringBuilder("HTTP ").append(code).append(' ')
        .append(secrets.excerpt(reason(code, response.message()), MAX_MESSAGE_BODY_CHARS));
    m.append(" (").append(method).append(' ').append(Redaction.pathAndQuery(request)).append(')');
    if (retryAfter != null && code == 429) {
      m.append(" retry after ").append(retryAfter.toMillis()).append(" ms");
    }
    if (!body.isEmpty()) {
      // Cut after redaction: a cut cannot leave a prefix of the key behind.
      String oneLine = body.replaceAll("\\s+", " ").trim();
      m.append(": ").append(Excerpts.cut(oneLine, MAX_MESSAGE_BODY_CHARS));
    }
    String message = m.toString();
    ErrorResponse r = new ErrorResponse(code, method, url, headers, body);
    switch (code) {
      case 400:
        return new BadRequestException(message, r);
      case 401:
        return new UnauthorizedException(message, r);
      case 404:
        return new NotFoundException(message, r);
      case 429:
        return new RateLimitedException(message, r, retryAfter);
      case 529:
        return new OverloadedException(message, r);
      default:
        if (code >= 500 && code <= 599) {
          return new ServerException(message, r);
        }
        return new ServiceException(message, r);
    }
  }

  /**
   * True if {@code error} is Anthropic's spend-cap 429: {@code rate_limit_error} with
   * {@code error.details.error_code: enforced_spend_limit_reached} and no {@code retry-after}. Anthropic's
   * docs: retrying it "fails until access resumes" (the next month).
   */
  static boolean isSpendCap(ServiceException error) {
    return isSpendCap(error.statusCode(), error.body());
  }

  /**
   * True if {@code response} is Anthropic's spend-cap 429 (see {@link #isSpendCap(ServiceException)}), read
   * from a prefix of its body that is left unread for whoever handles the response.
   */
  static boolean isSpendCap(Response response) {
    return response.code() == 429 && isSpendCap(429, Bodies.readPrefix(response.body(), MAX_ERROR_BODY_BYTES));
  }

  private static boolean isSpendCap(int status, String body) {
    if (status != 429 || !body.contains("enforced_spend_limit_reached")) {
      return false;
    }
    try {
      return "enforced_spend_limit_reached".equals(
          Json.MAPPER.readTree(body).path("error").path("details").path("error_code").asText(null));
    } catch (java.io.IOException notJson) {
      return false;
    }
  }

  /**
   * Returns the status's standard reason phrase, or the server's for a status without one (servers send
   * arbitrary phrases, and HTTP/2 sends none).
   */
  static String reason(int code, String serverMessage) {
    String standard = standardReason(code);
    if (!standard.isEmpty() || serverMessage == null) {
      return standard;
    }
    return serverMessage.strip();
  }

  private static String standardReason(int code) {
    switch (code) {
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 408: return "Request Timeout";
      case 409: return "Conflict";
      case 413: return "Payload Too Large";
      case 422: return "Unprocessable Entity";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      case 504: return "Gateway Timeout";
      case 529: return "Overloaded";
      default: return "";
    }
  }
}
