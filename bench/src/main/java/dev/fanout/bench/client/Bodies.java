package dev.fanout.bench.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** Reads the {@code id} field of a user body, the way each benchmarked client checks what it got. */
final class Bodies {
  private static final JsonFactory JSON = new JsonFactory();

  private Bodies() {}

  /** The {@code id} of a {@code {"id":..,"name":..,"email":..}} body; fails if there is none. */
  static long userId(byte[] body) throws IOException {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("body is not a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("id".equals(name) && value == JsonToken.VALUE_NUMBER_INT) return p.getLongValue();
        p.skipChildren();
      }
    }
    throw new IOException("body has no numeric id");
  }
}
