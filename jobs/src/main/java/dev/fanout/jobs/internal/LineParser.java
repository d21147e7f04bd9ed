package dev.fanout.jobs.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.jobs.InvalidInputException;
import dev.fanout.jobs.JobRequest;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/** Reads one line of OpenAI's Batch API input format, or fails naming the line and what is wrong. */
public final class LineParser {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  /** The fields of an input line, as OpenAI's Batch API documents them. */
  private static final Set<String> FIELDS = Set.of("custom_id", "method", "url", "body");
  private static final Set<String> METHODS = Set.of("POST", "GET", "PUT", "PATCH", "DELETE");
  private static final int MAX_QUOTED = 60;

  private LineParser() {}

  /** Parses {@code text}, line {@code line} of {@code source}. */
  public static JobRequest parse(String source, long line, String text) {
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw new InvalidInputException(source, line, "not JSON: " + e.getOriginalMessage()
          + " in " + quote(text));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException(source, line, "expected a JSON object with custom_id, method, url and body, got "
          + (root == null ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT)));
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidInputException(source, line, "unknown field \"" + name
            + "\" (a line has custom_id, method, url and body)");
      }
    }
    String customId = text(source, line, root, "custom_id");
    if (customId.isEmpty()) {
      throw new InvalidInputException(source, line, "custom_id is empty");
    }
    String method = text(source, line, root, "method");
    if (!METHODS.contains(method)) {
      throw new InvalidInputException(source, line, "unknown method \"" + method + "\" (one of POST, GET, PUT, "
          + "PATCH, DELETE, in upper case)");
    }
    String url = text(source, line, root, "url");
    if (!url.startsWith("/") || url.startsWith("//") || url.contains("://")) {
      throw new InvalidInputException(source, line, "url must be a path such as /v1/chat/completions, got \""
          + quote(url) + "\"");
    }
    JsonNode body = root.get("body");
    if (body != null && body.isNull()) {
      body = null;
    }
    if (body == null && !method.equals("GET") && !method.equals("DELETE")) {
      throw new InvalidInputException(source, line, "missing field \"body\" (a " + method + " needs one)");
    }
    if (body != null && !body.isObject()) {
      throw new InvalidInputException(source, line, "body must be a JSON object, got "
          + body.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    if (body != null && method.equals("GET")) {
      throw new InvalidInputException(source, line, "a GET has no body");
    }
    return new JobRequest(line, customId, method, url, body);
  }

  private static String text(String source, long line, JsonNode root, String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw new InvalidInputException(source, line, "missing field \"" + field + "\"");
    }
    if (!node.isTextual()) {
      throw new InvalidInputException(source, line, field + " must be a string, got "
          + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return node.asText();
  }

  static String quote(String text) {
    String t = text.strip();
    return t.length() <= MAX_QUOTED ? t : t.substring(0, MAX_QUOTED) + "...";
  }
}
