package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the mock chooses its tool calls, deterministically, from the tools offered and the last user
 * message (documented in docs/mock-server.md):
 *
 * <ol>
 *   <li>The message is split into parts at commas, semicolons, {@code &} and the words {@code and} /
 *       {@code or}. Each part's subject is the words after its last preposition ({@code in, of, for,
 *       about, on, at, to, from, near, with, by}); failing that, its last word when there are several
 *       parts, else the whole part.
 *   <li>A tool fits when a word of its name (split at {@code _ - .} and camelCase, three letters or
 *       more, ignoring {@code get, set, fetch, find, lookup, look, list, search, query, call, run, tool})
 *       occurs in the message (case-insensitive, a plural {@code s} ignored).
 *   <li>A named {@code tool_choice} calls that tool; else the fitting tools; else the first tool.
 *   <li>With {@code parallel_tool_calls} false: one call, the first tool with the first subject. Else,
 *       several fitting tools: one call each (in the order the message mentions them), with the subject
 *       of the part that mentions it when that part has a preposition, else the last part's subject;
 *       one tool: one call per part, with that part's subject (at most {@link #MAX_CALLS}).
 *   <li>Arguments are built from the tool's parameters schema by {@link Schemas} with the call's subject.
 * </ol>
 */
final class ToolPlan {
  static final int MAX_CALLS = 16;
  private static final Pattern SEPARATORS =
      Pattern.compile("\\s*(?:[,;&]|\\band\\b|\\bor\\b)\\s*", Pattern.CASE_INSENSITIVE);
  private static final Set<String> PREPOSITIONS =
      Set.of("in", "of", "for", "about", "on", "at", "to", "from", "near", "with", "by");
  private static final Set<String> IGNORED =
      Set.of("get", "set", "fetch", "find", "lookup", "look", "list", "search", "query", "call", "run", "tool");

  /** One planned call: the tool's name and its arguments as a JSON object. */
  record Call(String name, JsonNode arguments) {}

  private ToolPlan() {}

  /** The calls for {@code message}; {@code tools} are the {@code function} objects (name, parameters). */
  static List<Call> plan(List<JsonNode> tools, String named, boolean parallel, String message) {
    List<Part> parts = parts(message);
    Set<String> words = words(message);
    List<JsonNode> chosen = new ArrayList<>();
    if (named != null) {
      for (JsonNode t : tools) if (t.path("name").asText().equals(named)) chosen.add(t);
    } else {
      List<int[]> fits = new ArrayList<>(); // {position of the first mention, index in tools}
      for (int i = 0; i < tools.size(); i++) {
        int at = mention(tools.get(i).path("name").asText(), words, message);
        if (at >= 0) fits.add(new int[] {at, i});
      }
      fits.sort(java.util.Comparator.<int[]>comparingInt(f -> f[0]).thenComparingInt(f -> f[1]));
      for (int[] f : fits) chosen.add(tools.get(f[1]));
      if (chosen.isEmpty()) chosen.add(tools.get(0));
    }
    List<Call> calls = new ArrayList<>();
    String lastSubject = parts.get(parts.size() - 1).subject;
    if (!parallel) {
      calls.add(call(chosen.get(0), parts.get(0).subject));
    } else if (chosen.size() > 1) {
      for (JsonNode t : chosen) {
        String subject = lastSubject;
        for (Part p : parts) {
          if (!nameParts(t.path("name").asText()).isEmpty() && mentions(p.text, t.path("name").asText())) {
            if (p.prepositional) subject = p.subject;
            break;
          }
        }
        calls.add(call(t, subject));
        if (calls.size() == MAX_CALLS) break;
      }
    } else {
      for (Part p : parts) {
        calls.add(call(chosen.get(0), p.subject));
        if (calls.size() == MAX_CALLS) break;
      }
    }
    return calls;
  }

  private static Call call(JsonNode function, String subject) {
    JsonNode parameters = function.get("parameters");
    JsonNode args = parameters == null || parameters.isNull()
        ? Json.object() : Schemas.value(parameters, subject, false);
    if (!args.isObject()) args = Json.object();
    return new Call(function.path("name").asText(), args);
  }

  /** One part of a message: its text, its subject, and whether a preposition marked the subject. */
  record Part(String text, String subject, boolean prepositional) {}

  static List<Part> parts(String message) {
    String m = message.trim().replaceAll("[?!.]+$", "");
    List<String> texts = new ArrayList<>();
    for (String p : SEPARATORS.split(m)) if (!p.isBlank()) texts.add(p.trim());
    if (texts.isEmpty()) texts.add(m.isBlank() ? "example" : m);
    List<Part> parts = new ArrayList<>();
    for (String text : texts) {
      String[] w = text.split("\\s+");
      int prep = -1;
      for (int i = 0; i < w.length - 1; i++) if (PREPOSITIONS.contains(w[i].toLowerCase(Locale.ROOT))) prep = i;
      String subject;
      if (prep >= 0) subject = String.join(" ", java.util.Arrays.copyOfRange(w, prep + 1, w.length));
      else if (texts.size() > 1) subject = w[w.length - 1];
      else subject = text;
      subject = subject.replaceAll("^[\\p{Punct}]+|[\\p{Punct}]+$", "");
      if (subject.isEmpty()) subject = text;
      if (subject.length() > 64) subject = subject.substring(0, 64);
      parts.add(new Part(text, subject, prep >= 0));
    }
    return parts;
  }

  /** The position of the first word of {@code tool}'s name in {@code message}, or -1 if it does not fit. */
  private static int mention(String tool, Set<String> words, String message) {
    int best = -1;
    String lower = message.toLowerCase(Locale.ROOT);
    for (String part : nameParts(tool)) {
      if (words.contains(part)) {
        int at = lower.indexOf(part);
        if (at >= 0 && (best < 0 || at < best)) best = at;
      }
    }
    return best;
  }

  private static boolean mentions(String text, String tool) {
    Set<String> w = words(text);
    for (String part : nameParts(tool)) if (w.contains(part)) return true;
    return false;
  }

  static List<String> nameParts(String name) {
    List<String> parts = new ArrayList<>();
    for (String p : name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").split("[\\s_.\\-]+")) {
      String s = singular(p.toLowerCase(Locale.ROOT));
      if (s.length() >= 3 && !IGNORED.contains(s)) parts.add(s);
    }
    return parts;
  }

  private static Set<String> words(String text) {
    Set<String> w = new HashSet<>();
    for (String s : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) if (!s.isEmpty()) w.add(singular(s));
    return w;
  }

  private static String singular(String s) {
    return s.length() > 3 && s.endsWith("s") && !s.endsWith("ss") ? s.substring(0, s.length() - 1) : s;
  }
}
