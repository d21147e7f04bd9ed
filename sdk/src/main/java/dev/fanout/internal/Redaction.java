package dev.fanout.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Removes credentials from what errors and traces show: headers, query values, and any text a server sent
 * back (bodies, reason phrases, stream events, values a decoder quotes). See {@link Secrets}.
 */
public final class Redaction {
  static final String REDACTED = "██";
  private static final int MAX_HEADERS = 64;
  private static final int MAX_HEADER_VALUE = 512;

  private Redaction() {}

  /**
   * Names (headers and query parameters, compared lower-case with {@code -} read as {@code _}) whose value is
   * a credential when the name is exactly one of these: Firebase's {@code auth}, session ids, JWTs, short
   * password and signature names, OAuth's {@code code}. The client publishes it as
   * {@code FanoutClient.DEFAULT_REDACTED_NAMES}.
   */
  public static final Set<String> SENSITIVE_NAMES = Set.of(
      "authorization", "proxy_authorization", "cookie", "set_cookie", "auth", "key", "sig", "code", "sid", "jwt",
      "pwd", "pass", "bearer", "session");

  /**
   * Parts of names whose value is a credential wherever they occur in the name: API keys ({@code api_key},
   * {@code x-goog-api-key}), access keys ({@code access_key}, AWS's {@code X-Amz-Credential}), tokens (not
   * rate-limit counters), secrets, passwords, signatures, session ids ({@code sessionid}, {@code PHPSESSID},
   * {@code session_id}), private keys and {@code auth_}/{@code _auth} compounds ({@code auth_token},
   * {@code x_auth}). The client publishes it as {@code FanoutClient.DEFAULT_REDACTED_NAME_PARTS}.
   */
  public static final List<String> SENSITIVE_NAME_PARTS = List.of(
      "api_key", "apikey", "access_key", "accesskey", "token", "secret", "password", "passwd", "signature",
      "sessid", "sessionid", "session_id", "credential", "private_key", "privatekey", "auth_", "_auth", "authkey");

  /**
   * The query parameter names a client's user added to the defaults, normalized (lower-case, {@code -} as
   * {@code _}); the engine sets it on each request of that client as a tag, so every place that shows the
   * request's URL or takes its secrets out of text finds it.
   */
  record ExtraNames(Set<String> names) {
    static ExtraNames of(java.util.Collection<String> names) {
      Set<String> n = new java.util.HashSet<>();
      for (String name : names) {
        n.add(normalize(name));
      }
      return new ExtraNames(Set.copyOf(n));
    }

    boolean contains(String name) {
      return names.contains(normalize(name));
    }
  }

  private static String normalize(String name) {
    return name.toLowerCase(Locale.ROOT).replace('-', '_');
  }

  /** Returns true if query parameter {@code name} of {@code request} carries a credential, by its client's names too. */
  static boolean isSensitiveQuery(String name, Request request) {
    if (isSensitive(name)) {
      return true;
    }
    ExtraNames extra = request == null ? null : request.tag(ExtraNames.class);
    return extra != null && extra.contains(name);
  }

  /**
   * Returns true if a header or query parameter named {@code name} carries a credential, by
   * {@link #SENSITIVE_NAMES} and {@link #SENSITIVE_NAME_PARTS}.
   */
  public static boolean isSensitive(String name) {
    String n = name.toLowerCase(Locale.ROOT).replace('-', '_');
    if (SENSITIVE_NAMES.contains(n)) {
      return true;
    }
    for (String part : SENSITIVE_NAME_PARTS) {
      if (n.contains(part) && !(part.equals("token") && n.contains("ratelimit"))) {
        return true;
      }
    }
    return false;
  }

  /** Returns the headers, names lower-cased, sensitive values replaced, at most 64 names, values cut to 512 chars. */
  static Map<String, List<String>> headers(Headers headers) {
    return headers(headers, Secrets.NONE);
  }

  /**
   * As {@link #headers(Headers)}, and with {@code secrets} taken out of every other value before it is cut
   * (a server may echo the key in a header of any name).
   */
  static Map<String, List<String>> headers(Headers headers, Secrets secrets) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i).toLowerCase(Locale.ROOT);
      if (!out.containsKey(name) && out.size() >= MAX_HEADERS) {
        continue;
      }
      String value = isSensitive(name) ? REDACTED : secrets.excerpt(headers.value(i), MAX_HEADER_VALUE);
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return out;
  }

  /**
   * Returns {@code request}'s URL with the values of sensitive query parameters (the defaults and its client's
   * own names) and any user info replaced.
   */
  static String url(Request request) {
    return redactedUrl(request, REDACTED).toString();
  }

  /** Returns the URL with sensitive query values replaced by {@code placeholder}, user info removed. */
  static HttpUrl redactedUrl(Request request, String placeholder) {
    HttpUrl.Builder b = request.url().newBuilder().username("").password("");
    return replaceValues(b, request.url(), name -> isSensitiveQuery(name, request), placeholder);
  }

  /** Replaces the values of the query parameters {@code sensitive} names, keeping their order. */
  private static HttpUrl replaceValues(HttpUrl.Builder b, HttpUrl url, java.util.function.Predicate<String> sensitive,
      String placeholder) {
    boolean any = false;
    for (String name : url.queryParameterNames()) {
      any |= sensitive.test(name);
    }
    if (!any) {
      return b.build();
    }
    b.query(null);
    for (int i = 0; i < url.querySize(); i++) {
      String name = url.queryParameterName(i);
      String value = url.queryParameterValue(i);
      b.addQueryParameter(name, value != null && sensitive.test(name) ? placeholder : value);
    }
    return b.build();
  }

  /**
   * Returns the request's URL with only the values of its client's own redacted names replaced by
   * {@code placeholder}, for a place (OpenTelemetry's {@code url.full}) that applies the default rule itself.
   */
  static HttpUrl withClientNamesReplaced(Request request, String placeholder) {
    ExtraNames extra = request.tag(ExtraNames.class);
    HttpUrl url = request.url();
    return extra == null ? url : replaceValues(url.newBuilder(), url, extra::contains, placeholder);
  }

  /** Returns the request's encoded path plus its redacted query, for messages and trace labels. */
  static String pathAndQuery(Request request) {
    if (request.url().encodedQuery() == null) {
      return request.url().encodedPath(); // nothing to redact: a path holds no credentials
    }
    HttpUrl redacted = redactedUrl(request, REDACTED);
    String query = redacted.encodedQuery();
    return redacted.encodedPath() + (query == null ? "" : "?" + query);
  }

  /**
   * The credentials one request carries (its {@code Authorization} token, API-key headers, cookies,
   * secret-looking query values), and the one way to take them out of text a server sent back.
   *
   * <p>What {@link #redact} finds, in any mix of plain text, JSON escapes (a backslash before {@code /},
   * or before {@code u002d} for {@code -}, doubled backslashes included), URL encoding ({@code %2F},
   * double-encoded {@code %252F}) and HTML character references ({@code &#45;}, {@code &#x2F;}): every
   * run of 8 or more characters of a secret (all of it when it is shorter), wherever it starts, so a server
   * quoting part of the key ({@code sk-abc12***}) is covered too; and at the end of the text (a trailing
   * {@code …} ignored), a run of 4 or more of a secret's first characters, which a cut there may have left.
   * Texts are always prefixes of what the server sent, so their start is never a cut. Each run becomes
   * {@value Redaction#REDACTED}. Redact before truncating: {@link #excerpt} does both in that order.
   */
  static final class Secrets {
    static final Secrets NONE = new Secrets(List.of());
    /** Runs of a secret this long (or the whole secret if shorter) are redacted anywhere. */
    private static final int MIN_RUN = 8;
    /** Runs of a secret's first characters this long are redacted at the text's end, where a cut may have split it. */
    private static final int MIN_EDGE_RUN = 4;
    /** Values of other credential-named headers and query parameters shorter than this are not secrets. */
    private static final int MIN_OTHER_SECRET = 8;

    private final List<String> secrets;
    private final int longest;

    private Secrets(List<String> secrets) {
      this.secrets = List.copyOf(secrets);
      int max = 0;
      for (String s : secrets) {
        max = Math.max(max, s.length());
      }
      this.longest = max;
    }

    /** Returns the secrets {@code request} carries in its headers and query. */
    static Secrets of(Request request) {
      if (request == null) {
        return NONE;
      }
      Set<String> found = new LinkedHashSet<>();
      Headers headers = request.headers();
      for (int i = 0; i < headers.size(); i++) {
        String name = headers.name(i).toLowerCase(Locale.ROOT);
        String value = headers.value(i).strip();
        if (value.isEmpty() || !isSensitive(name)) {
          continue;
        }
        if (name.equals("authorization") || name.equals("proxy-authorization")) {
          credential(value, found);
        } else if (name.contains("api-key") || name.contains("apikey") || name.contains("api_key")) {
          found.add(value);
        } else {
          other(value, found);
          for (String part : value.split("[;,]")) {
            int eq = part.indexOf('=');
            other(eq < 0 ? part.strip() : part.substring(eq + 1).strip(), found);
          }
        }
      }
      HttpUrl url = request.url();
      for (String name : url.queryParameterNames()) {
        if (isSensitiveQuery(name, request)) {
          for (String value : url.queryParameterValues(name)) {
            if (value != null) {
              other(value, found);
            }
          }
        }
      }
      return found.isEmpty() ? NONE : new Secrets(new ArrayList<>(found));
    }

    /** {@code Bearer <token>}: the token (all of the value without a scheme); Basic's password too. */
    private static void credential(String value, Set<String> found) {
      int space = value.indexOf(' ');
      String token = space < 0 ? value : value.substring(space + 1).strip();
      if (token.isEmpty()) {
        token = value;
      }
      found.add(token);
      if (space > 0 && value.substring(0, space).equalsIgnoreCase("basic")) {
        try {
          String decoded = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
          int colon = decoded.indexOf(':');
          if (colon >= 0 && decoded.length() - colon - 1 >= MIN_EDGE_RUN) {
            found.add(decoded.substring(colon + 1));
          }
        } catch (IllegalArgumentException e) {
          // not base64: the token itself is the secret
        }
      }
    }

    private static void other(String value, Set<String> found) {
      if (value.length() >= MIN_OTHER_SECRET) {
        found.add(value);
      }
    }

    boolean isEmpty() {
      return secrets.isEmpty();
    }

    /** Returns {@code text} with every secret (and every run of one, as described above) replaced. */
    String redact(String text) {
      if (text == null || text.isEmpty() || secrets.isEmpty()) {
        return text;
      }
      DecodedText d = DecodedText.of(text);
      boolean[] marked = new boolean[d.length()];
      boolean any = false;
      for (String secret : secrets) {
        any |= mark(d.chars, secret, marked);
      }
      return any ? d.replace(text, marked) : text;
    }

    /**
     * Returns {@code text} redacted, then cut to {@code maxChars} (with {@code …} when cut). Only a window
     * of the text somewhat longer than the cut is examined, so a huge text costs no more than a short one;
     * what a secret straddling the window's end leaves is caught as a run at the end.
     */
    String excerpt(String text, int maxChars) {
      if (text == null) {
        return null;
      }
      // An escaped character is at most a few backslashes and six more characters (u002d).
      int window = maxChars + 8 * longest + 16;
      boolean longer = text.length() > window;
      String redacted = redact(longer ? text.substring(0, window) : text);
      if (redacted.length() <= maxChars && !longer) {
        return redacted;
      }
      return redacted.substring(0, Math.min(maxChars, redacted.length())) + "…";
    }

    /**
     * Returns {@code t} if neither its message nor its causes' hold a secret, else a copy of the chain that
     * keeps each class name and stack trace and has the messages redacted.
     */
    Throwable scrub(Throwable t) {
      return scrub(t, 0);
    }

    private Throwable scrub(Throwable t, int depth) {
      if (t == null || secrets.isEmpty() || depth > 16) {
        return t;
      }
      Throwable cause = t.getCause() == t ? null : scrub(t.getCause(), depth + 1);
      String message = t.getMessage();
      String redacted = redact(message);
      if (cause == t.getCause() && Objects.equals(message, redacted)) {
        return t;
      }
      return RedactedCopy.of(t, redacted, cause);
    }

    /** As {@link #scrub(Throwable)}, keeping the type an {@link IOException} (for a transport failure's cause). */
    IOException scrub(IOException e) {
      return (IOException) scrub((Throwable) e, 0);
    }

    /** Marks every run of {@code secret} in {@code text} that is to be redacted; returns whether any was. */
    private static boolean mark(char[] text, String secret, boolean[] marked) {
      int m = secret.length();
      int n = text.length;
      if (m == 0 || n == 0) {
        return false;
      }
      int minRun = Math.min(MIN_RUN, m);
      int minEdge = Math.min(MIN_EDGE_RUN, m);
      int last = n - 1;
      while (last > 0 && (text[last] == '…' || text[last] == '.' || Character.isWhitespace(text[last]))) {
        last--; // a cut's ellipsis (and what follows it) is not part of the text's end
      }
      boolean any = false;
      int[] prev = new int[m + 1];
      int[] cur = new int[m + 1];
      for (int i = 0; i < n; i++) {
        for (int j = 1; j <= m; j++) {
          int run = text[i] == secret.charAt(j - 1) ? prev[j - 1] + 1 : 0;
          cur[j] = run;
          if (run == 0) {
            continue;
          }
          int start = i - run + 1;
          boolean interior = run >= minRun;
          boolean tailOfText = i == last && run == j && run >= minEdge; // the text ends with the secret's start
          if (interior || tailOfText) {
            for (int k = start; k <= i; k++) {
              marked[k] = true;
            }
            any = true;
          }
        }
        int[] t = prev;
        prev = cur;
        cur = t;
      }
      return any;
    }
  }
}
