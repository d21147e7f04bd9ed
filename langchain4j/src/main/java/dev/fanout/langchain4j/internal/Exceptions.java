package dev.fanout.langchain4j.internal;

import dev.fanout.Fanout;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutCancelledException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.errors.ServiceException;
import dev.fanout.errors.TransportException;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

/**
 * Maps Fanout's exceptions onto LangChain4j's {@code dev.langchain4j.exception} types, status by status as
 * LangChain4j's own {@code ExceptionMapper} does, so that code written for {@code OpenAiChatModel} catches the
 * same types. The Fanout exception is always the cause, and its message (already free of credentials) is
 * the message.
 */
public final class Exceptions {
  private Exceptions() {}

  /**
   * Returns what {@code call} returns; a {@link RuntimeException} it throws is thrown as {@link #toLangChain4j}
   * maps it, a {@link LangChain4jException} as it is.
   */
  public static <T> T mapped(Supplier<T> call) {
    try {
      return call.get();
    } catch (LangChain4jException e) {
      throw e;
    } catch (RuntimeException e) {
      throw toLangChain4j(e);
    }
  }

  /**
   * Returns the LangChain4j exception for {@code error}: a {@link ServiceException} by status (5xx
   * {@link InternalServerException}, 401 and 403 {@link AuthenticationException}, 404
   * {@link ModelNotFoundException}, 408 {@link TimeoutException}, 429 {@link RateLimitException}, other 4xx
   * {@link InvalidRequestException}; after the last retry, that attempt's failure); a passed deadline or a
   * per-attempt timeout {@link TimeoutException}; any other Fanout failure a {@link LangChain4jException}.
   * A {@link RuntimeException} that is not Fanout's (a tool's, a handler's) is returned as it is.
   */
  public static RuntimeException toLangChain4j(Throwable error) {
    Throwable e = Fanout.unwrap(error);
    Throwable decisive = e;
    String message = e.getMessage();
    if (decisive instanceof ServiceException service) {
      int status = service.statusCode();
      if (status >= 500 && status < 600) {
        return new InternalServerException(message, e);
      }
      if (status == 401 || status == 403) {
        return new AuthenticationException(message, e);
      }
      if (status == 404) {
        return new ModelNotFoundException(message, e);
      }
      if (status == 408) {
        return new TimeoutException(message, e);
      }
      if (status == 429) {
        return new RateLimitException(message, e);
      }
      if (status >= 400 && status < 500) {
        return new InvalidRequestException(message, e);
      }
      return new LangChain4jException(message, e);
    }
    if (decisive instanceof FanoutTimeoutException
        || decisive instanceof TransportException && decisive.getCause() instanceof InterruptedIOException) {
      return new TimeoutException(message, e);
    }
    if (decisive instanceof TransportException
        || decisive instanceof DecodeException
        || decisive instanceof FanoutCancelledException
        || decisive instanceof dev.fanout.errors.FanoutException) {
      return new LangChain4jException(message, e);
    }
    if (e instanceof CancellationException) {
      return new LangChain4jException("cancelled", e);
    }
    return e instanceof RuntimeException runtime ? runtime : new LangChain4jException(message, e);
  }
}
