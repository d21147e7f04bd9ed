package dev.fanout.chat;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.internal.Excerpts;
import dev.fanout.internal.Json;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The shape the answer's text must take: plain {@link #text()}, any JSON object ({@link #jsonObject()},
 * OpenAI's "JSON mode"), or JSON that follows a schema ({@link #jsonSchema(String, JsonNode, boolean)},
 * OpenAI's Structured Outputs). Read such an answer with {@link ChatCompletion#parse(Class)} or
 * {@link ChatCompletion#contentJson()}. Immutable.
 *
 * <p>Wire form: {@code {"type": "text"}}, {@code {"type": "json_object"}} or
 * {@code {"type": "json_schema", "json_schema": {"name", "description", "schema", "strict"}}}.
 */
public final class ResponseFormat {
  /** The kind of format. */
  public enum Type {
    /** Plain text. */
    TEXT,
    /** Any valid JSON object; the conversation must itself ask for JSON. */
    JSON_OBJECT,
    /** JSON that follows a schema. */
    JSON_SCHEMA
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final ResponseFormat TEXT = new ResponseFormat(Type.TEXT, null, null, null, false);
  private static final ResponseFormat JSON_OBJECT = new ResponseFormat(Type.JSON_OBJECT, null, null, null, false);

  private final Type type;
  private final String name;
  private final String description;
  private final JsonNode schema;
  private final boolean strict;

  private ResponseFormat(Type type, String name, String description, JsonNode schema, boolean strict) {
    this.type = type;
    this.name = name;
    this.description = description;
    this.schema = schema;
    this.strict = strict;
  }

  /** Plain text answers. */
  public static ResponseFormat text() {
    return TEXT;
  }

  /** Any JSON object ("JSON mode"). */
  public static ResponseFormat jsonObject() {
    return JSON_OBJECT;
  }

  /**
   * JSON that follows {@code schema}.
   *
   * @param name the schema's name: letters, digits, {@code _} and {@code -}, 1 to 64 of them
   * @param schema a JSON Schema object
   * @param strict whether the model must follow the schema exactly (OpenAI then requires every property in
   *     {@code required} and {@code additionalProperties: false})
   */
  public static ResponseFormat jsonSchema(String name, JsonNode schema, boolean strict) {
    return jsonSchema(name, null, schema, strict);
  }

  /** JSON that follows {@code schema}, with a description of what the answer is for; may be null. */
  public static ResponseFormat jsonSchema(String name, String description, JsonNode schema, boolean strict) {
    Objects.requireNonNull(name, "name == null");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("schema name must be 1-64 letters, digits, '_' or '-': \"" + name + "\"");
    }
    Objects.requireNonNull(schema, "schema == null");
    if (!schema.isObject()) {
      throw new IllegalArgumentException("schema is not a JSON Schema object: " + Excerpts.abbreviate(schema.toString()));
    }
    return new ResponseFormat(Type.JSON_SCHEMA, name, description, schema.deepCopy(), strict);
  }

  /** JSON that follows {@code schema}, given as a map (serialized with Jackson). */
  public static ResponseFormat jsonSchema(String name, Map<String, ?> schema, boolean strict) {
    Objects.requireNonNull(schema, "schema == null");
    return jsonSchema(name, null, Json.valueToTree(schema), strict);
  }

  /** Returns the kind of format. */
  public Type type() {
    return type;
  }

  /** Returns the schema's name, for {@link Type#JSON_SCHEMA}. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /** Returns (a copy of) the schema, for {@link Type#JSON_SCHEMA}. */
  public Optional<JsonNode> schema() {
    return Optional.ofNullable(schema).map(JsonNode::deepCopy);
  }

  /** Returns whether the schema must be followed exactly. */
  public boolean strict() {
    return strict;
  }

  @JsonValue
  JsonNode toJson() {
    ObjectNode node = Json.objectNode();
    node.put("type", type.name().toLowerCase(java.util.Locale.ROOT));
    if (type == Type.JSON_SCHEMA) {
      ObjectNode js = node.putObject("json_schema");
      js.put("name", name);
      if (description != null) {
        js.put("description", description);
      }
      js.set("schema", schema.deepCopy());
      js.put("strict", strict);
    }
    return node;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResponseFormat f && type == f.type && Objects.equals(name, f.name)
        && Objects.equals(description, f.description) && Objects.equals(schema, f.schema) && strict == f.strict;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, name, description, schema, strict);
  }

  @Override
  public String toString() {
    return type == Type.JSON_SCHEMA ? "json_schema(" + name + (strict ? ", strict" : "") + ")"
        : type.name().toLowerCase(java.util.Locale.ROOT);
  }
}
