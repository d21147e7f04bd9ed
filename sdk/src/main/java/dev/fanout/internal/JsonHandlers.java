package dev.fanout.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JavaType;
import dev.fanout.errors.DecodeException;
import okhttp3.ResponseBody;

/** Handlers that read a whole (size-capped) JSON body as a Jackson type. */
final class JsonHandlers {
  private JsonHandlers() {}

  static <T> LogicalCall.Handler<T> of(JavaType type, long maxBytes) {
    return (response, call) -> {
      if (type.getRawClass() == Void.class) {
        return null;
      }
      ResponseBody body = response.body();
      byte[] bytes = Bodies.readBounded(body, maxBytes, call.label());
      if (bytes.length == 0 || isBlank(bytes)) {
        throw new DecodeException(call.label() + ": empty response body, expected " + type.getTypeName()
            + " (HTTP " + response.code() + ")");
      }
      try {
        return Json.MAPPER.readValue(bytes, type);
      } catch (JacksonException e) {
        throw new DecodeException(
            call.label() + ": response is not a valid " + simpleName(type) + ": " + e.getOriginalMessage(), e);
      } catch (java.io.IOException e) {
        throw new DecodeException(call.label() + ": could not read the response as " + simpleName(type), e);
      }
    };
  }

  private static String simpleName(JavaType type) {
    return type.getRawClass().getSimpleName();
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }
}
