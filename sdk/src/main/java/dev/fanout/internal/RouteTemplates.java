package dev.fanout.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The client's route templates, in the order given: a request's route (the key of its per-route state:
 * governor bucket, hedge latencies) is the first template that matches its path, else its path with id-like
 * segments as {@code *} ({@link GovernorGate#routeTemplate}). A template is a path whose segments are literal
 * or a wildcard, {@code *} or {@code {name}}, that stands for any one non-empty segment: {@code
 * /v1/users/{id}} matches {@code /v1/users/alice}. Immutable.
 */
public final class RouteTemplates {
  /** No templates: every route comes from the id heuristic. */
  public static final RouteTemplates NONE = new RouteTemplates(List.of());

  private final List<String> templates;
  private final List<String[]> segments;

  private RouteTemplates(List<String> templates) {
    this.templates = List.copyOf(templates);
    this.segments = new ArrayList<>(templates.size());
    for (String t : templates) {
      segments.add(t.split("/", -1));
    }
  }

  /** Returns the templates, each checked by {@link #check}. */
  public static RouteTemplates of(List<String> templates) {
    for (String t : templates) {
      check(t);
    }
    return templates.isEmpty() ? NONE : new RouteTemplates(templates);
  }

  /**
   * Checks one template, naming what is wrong with it.
   *
   * @throws IllegalArgumentException if it does not start with {@code /}, has a query or fragment, or a
   *     segment with a brace that is not a whole {@code {name}}
   */
  public static String check(String template) {
    if (template == null) {
      throw new IllegalArgumentException("route template == null");
    }
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("route template does not start with '/': " + template);
    }
    if (template.indexOf('?') >= 0 || template.indexOf('#') >= 0 || template.chars().anyMatch(Character::isWhitespace)) {
      throw new IllegalArgumentException("route template has a query, fragment or space: " + template);
    }
    for (String s : template.split("/", -1)) {
      boolean braces = s.indexOf('{') >= 0 || s.indexOf('}') >= 0;
      if (braces && !(s.length() > 2 && s.startsWith("{") && s.endsWith("}")
          && s.indexOf('{', 1) < 0 && s.indexOf('}') == s.length() - 1)) {
        throw new IllegalArgumentException("route template segment is not a whole {name}: '" + s + "' in " + template);
      }
    }
    return template;
  }

  public List<String> templates() {
    return templates;
  }

  /** Returns the route of {@code encodedPath}: the first matching template, else the id heuristic's. */
  public String route(String encodedPath) {
    if (!segments.isEmpty()) {
      String[] parts = encodedPath.split("/", -1);
      for (int i = 0; i < segments.size(); i++) {
        if (matches(segments.get(i), parts)) {
          return templates.get(i);
        }
      }
    }
    return GovernorGate.routeTemplate(encodedPath);
  }

  private static boolean matches(String[] template, String[] parts) {
    if (template.length != parts.length) {
      return false;
    }
    for (int i = 0; i < template.length; i++) {
      String t = template[i];
      boolean wildcard = t.equals("*") || (t.startsWith("{") && t.endsWith("}") && t.length() > 2);
      if (wildcard ? parts[i].isEmpty() : !t.equals(parts[i])) {
        return false;
      }
    }
    return true;
  }

  /** The route a call counts under, set on its request by the engine; the governor keys its bucket by it. */
  record Tag(String route) {}
}
