package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a deterministic JSON value that validates against a JSON schema (the subset OpenAI's tools and
 * structured outputs use): {@code const} and the first {@code enum} value win; {@code anyOf}/{@code
 * oneOf}/{@code allOf} take their first non-null branch; {@code $ref} to {@code #/$defs/..} or {@code
 * #/definitions/..} is followed; strings are the subject (with {@code format} date, date-time, email,
 * uri and {@code minLength}/{@code maxLength} honoured); integers and numbers are the first number in
 * the subject, else their {@code minimum}, else 1, clamped to their bounds; booleans are true; arrays
 * hold {@code max(1, minItems)} items; objects fill their required properties (every property when
 * {@code allProperties}, or when the schema lists none as required).
 */
final class Schemas {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?");
  private static final int MAX_DEPTH = 8;

  private Schemas() {}

  /** A value of {@code schema} whose strings are {@code subject}. */
  static JsonNode value(JsonNode schema, String subject, boolean allProperties) {
    return value(schema, schema, subject, allProperties, 0);
  }

  private static JsonNode value(JsonNode schema, JsonNode root, String subject, boolean all, int depth) {
    if (schema == null || !schema.isObject() || depth > MAX_DEPTH) return NODES.textNode(subject);
    if (schema.has("$ref")) return value(resolve(root, schema.get("$ref").asText()), root, subject, all, depth + 1);
    if (schema.has("const")) return schema.get("const");
    JsonNode enumValues = schema.get("enum");
    if (enumValues != null && enumValues.isArray() && enumValues.size() > 0) return enumValues.get(0);
    for (String combinator : new String[] {"anyOf", "oneOf", "allOf"}) {
      JsonNode options = schema.get(combinator);
      if (options != null && options.isArray() && options.size() > 0) {
        for (JsonNode option : options) {
          if (!"null".equals(option.path("type").asText())) return value(option, root, subject, all, depth + 1);
        }
        return NODES.nullNode();
      }
    }
    switch (type(schema)) {
      case "object": {
        ObjectNode o = NODES.objectNode();
        JsonNode properties = schema.path("properties");
        JsonNode required = schema.get("required");
        boolean every = all || required == null || !required.isArray();
        if (every) {
          properties.fields().forEachRemaining(p -> o.set(p.getKey(), value(p.getValue(), root, subject, all, depth + 1)));
        } else {
          for (JsonNode name : required) {
            o.set(name.asText(), value(properties.get(name.asText()), root, subject, all, depth + 1));
          }
        }
        return o;
      }
      case "array": {
        ArrayNode a = NODES.arrayNode();
        int count = Math.max(1, schema.path("minItems").asInt(1));
        if (schema.has("maxItems")) count = Math.min(count, schema.get("maxItems").asInt());
        for (int i = 0; i < count; i++) a.add(value(schema.get("items"), root, subject, all, depth + 1));
        return a;
      }
      case "integer":
        return NODES.numberNode((long) Math.round(number(schema, subject, true)));
      case "number":
        return NODES.numberNode(number(schema, subject, false));
      case "boolean":
        return NODES.booleanNode(true);
      case "null":
        return NODES.nullNode();
      default:
        return NODES.textNode(string(schema, subject));
    }
  }

  private static String type(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) return type.asText();
    if (type != null && type.isArray()) {
      for (JsonNode t : type) if (!"null".equals(t.asText())) return t.asText();
      return "null";
    }
    if (schema.has("properties")) return "object";
    if (schema.has("items")) return "array";
    return "string";
  }

  private static JsonNode resolve(JsonNode root, String ref) {
    if (!ref.startsWith("#/")) return null;
    JsonNode at = root;
    for (String part : ref.substring(2).split("/")) at = at.path(part.replace("~1", "/").replace("~0", "~"));
    return at.isMissingNode() ? null : at;
  }

  private static String string(JsonNode schema, String subject) {
    String format = schema.path("format").asText("");
    String s;
    switch (format) {
      case "date-time": s = "2026-01-01T00:00:00Z"; break;
      case "date": s = "2026-01-01"; break;
      case "time": s = "00:00:00"; break;
      case "email": s = "user@example.com"; break;
      case "uri": case "url": s = "https://example.com/" + subject.replaceAll("[^A-Za-z0-9]+", "-"); break;
      case "uuid": s = "00000000-0000-4000-8000-000000000000"; break;
      default: s = subject;
    }
    int min = schema.path("minLength").asInt(0);
    StringBuilder b = new StringBuilder(s);
    while (b.length() < min) b.append('x');
    s = b.toString();
    if (schema.has("maxLength")) s = s.substring(0, Math.min(s.length(), schema.get("maxLength").asInt()));
    return s;
  }

  private static double number(JsonNode schema, String subject, boolean integer) {
    Matcher m = NUMBER.matcher(subject);
    double v;
    if (m.find()) v = Double.parseDouble(m.group());
    else if (schema.has("minimum")) v = schema.get("minimum").asDouble();
    else if (schema.has("exclusiveMinimum") && schema.get("exclusiveMinimum").isNumber()) {
      v = schema.get("exclusiveMinimum").asDouble() + 1;
    } else v = 1;
    if (integer) v = Math.round(v);
    if (schema.has("minimum")) v = Math.max(v, schema.get("minimum").asDouble());
    if (schema.has("maximum")) v = Math.min(v, schema.get("maximum").asDouble());
    if (integer) v = Math.ceil(v);
    return v;
  }
}
