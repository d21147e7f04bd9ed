package dev.fanout.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.TreeNode;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.fanout.errors.DecodeException;
import dev.fanout.json.JsonResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.Response;

/**
 * Handlers that read a whole (size-capped) JSON body as a Jackson type.
 *
 * <p>A body that does not decode to a value of the expected type is a {@link DecodeException} naming the
 * call and what was wrong: empty, {@code null} ({@code GET /users/7: expected a JSON object (User), got
 * null}),
 * the wrong JSON type (an array where an object belongs), a missing required field, a field of the wrong
 * type, data after the value. Only a {@code JsonNode} target takes {@code null} (as {@code NullNode}); a
 * call never succeeds with a {@code null} value. Anything quoted from the body has the request's
 * credentials taken out ({@link Redaction.Secrets}).
 */
final class JsonHandlers {
  private static final Pattern MISSING = Pattern.compile("Missing required creator property '([^']*)'");
  private static final int MAX_QUOTED_CHARS = 300;

  private JsonHandlers() {}

  /** A {@link JsonNode} body, as {@link JsonResponse} reads it. */
  private static final Target NODE = new Target(Json.MAPPER.constructType(JsonNode.class));

  static <T> LogicalCall.Handler<T> of(JavaType type, long maxBytes) {
    if (type.getRawClass() == Void.class) {
      return (response, call) -> null;
    }
    if (type.getRawClass() == JsonResponse.class) {
      return (response, call) -> {
        byte[] bytes = Bodies.readBounded(response.body(), maxBytes, call.label());
        JsonNode body = decode(bytes, NODE, call.label(), response);
        @SuppressWarnings("unchecked")
        T withHead = (T) new JsonResponse(response.code(), lowerCaseNames(response.headers()), body);
        return withHead;
      };
    }
    Target target = new Target(type); // the reader and the shape, once per handler, not per response
    return (response, call) -> decode(Bodies.readBounded(response.body(), maxBytes, call.label()), target,
        call.label(), response);
  }

  private static Map<String, List<String>> lowerCaseNames(Headers headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < headers.size(); i++) {
      out.computeIfAbsent(headers.name(i).toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(headers.value(i));
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return out;
  }

  /** What a body is read as: its type, the JSON shape it must have, and the (immutable, shared) reader. */
  private static final class Target {
    final JavaType type;
    final Shape shape;
    final ObjectReader reader;

    Target(JavaType type) {
      this.type = type;
      this.shape = Shape.of(type);
      this.reader = Json.MAPPER.readerFor(type);
    }
  }

  /** Reads {@code bytes} as the target's type; fails with {@link DecodeException} naming {@code label} unless it is one. */
  private static <T> T decode(byte[] bytes, Target target, String label, Response response) {
    JavaType type = target.type;
    Shape shape = target.shape;
    if (bytes.length == 0 || isBlank(bytes)) {
      throw new DecodeException(label + ": empty response body, expected " + shape.description
          + " (HTTP " + response.code() + ")");
    }
    try (JsonParser parser = Json.MAPPER.createParser(bytes)) {
      JsonToken first = parser.nextToken();
      if (first == JsonToken.VALUE_NULL && !shape.takesNull) {
        throw new DecodeException(label + ": expected " + shape.description + ", got null");
      }
      if (!shape.accepts(first)) {
        throw new DecodeException(label + ": expected " + shape.description + ", got " + describe(first));
      }
      T value = target.reader.readValue(parser);
      if (value == null) {
        throw new DecodeException(label + ": expected " + shape.description + ", got null");
      }
      if (parser.nextToken() != null) {
        throw new DecodeException(label + ": unexpected data after the JSON value");
      }
      return value;
    } catch (JacksonException e) {
      Redaction.Secrets secrets = Redaction.Secrets.of(response.request());
      String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      Matcher missing = MISSING.matcher(original);
      String what = missing.find()
          ? "missing required field \"" + missing.group(1) + "\""
          : secrets.excerpt(original.replaceAll("\\s+", " "), MAX_QUOTED_CHARS);
      throw new DecodeException(
          label + ": response is not a valid " + simpleName(type) + ": " + what, secrets.scrub(e));
    } catch (IOException e) {
      throw new DecodeException(label + ": could not read the response as " + simpleName(type),
          Redaction.Secrets.of(response.request()).scrub(e));
    }
  }

  /** What JSON a type is read from, for the shape check and the messages. */
  private static final class Shape {
    final String description;
    final JsonToken start; // null: any
    final boolean takesNull;

    private Shape(String description, JsonToken start, boolean takesNull) {
      this.description = description;
      this.start = start;
      this.takesNull = takesNull;
    }

    static Shape of(JavaType type) {
      Class<?> raw = type.getRawClass();
      if (TreeNode.class.isAssignableFrom(raw)) {
        return new Shape("a JSON value", null, true); // null is NullNode, a value
      }
      if (type.isArrayType() || type.isCollectionLikeType()) {
        return new Shape("a JSON array (" + raw.getSimpleName() + ")", JsonToken.START_ARRAY, false);
      }
      if (type.isMapLikeType() || Map.class.isAssignableFrom(raw) || raw.isRecord()) {
        return new Shape("a JSON object (" + raw.getSimpleName() + ")", JsonToken.START_OBJECT, false);
      }
      return new Shape(raw == Object.class ? "a JSON value" : "a " + raw.getSimpleName(), null, false);
    }

    boolean accepts(JsonToken token) {
      return start == null || token == start;
    }
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    switch (token) {
      case START_ARRAY: return "an array";
      case START_OBJECT: return "an object";
      case VALUE_STRING: return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT: return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE: return "a boolean";
      case VALUE_NULL: return "null";
      default: return token.asString() == null ? token.name() : token.asString();
    }
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
