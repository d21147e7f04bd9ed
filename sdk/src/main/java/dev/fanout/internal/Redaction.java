package dev.fanout.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Headers;
import okhttp3.HttpUrl;

/** Removes credentials from what errors and traces show: headers, query values. */
public final class Redaction {
  static final String REDACTED = "██";
  private static final int MAX_HEADERS = 64;
  private static final int MAX_HEADER_VALUE = 512;

  private Redaction() {}

  public static boolean isSensitive(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.equals("authorization")
        || n.equals("proxy-authorization")
        || n.equals("cookie")
        || n.equals("set-cookie")
        || n.contains("api-key")
        || n.contains("apikey")
        || n.contains("api_key")
        || (n.contains("token") && !n.contains("ratelimit"))
        || n.contains("secret")
        || n.contains("password")
        || n.contains("signature")
        || n.equals("key")
        || n.equals("sig")
        || n.equals("code");
  }

  /** Returns the headers, names lower-cased, sensitive values replaced, at most 64 names, values cut to 512 chars. */
  static Map<String, List<String>> headers(Headers headers) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i).toLowerCase(Locale.ROOT);
      if (!out.containsKey(name) && out.size() >= MAX_HEADERS) {
        continue;
      }
      String value = isSensitive(name) ? REDACTED : cut(headers.value(i));
      out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    out.replaceAll((k, v) -> List.copyOf(v));
    return out;
  }

  /** Returns the URL with the values of sensitive query parameters (and any user info) replaced. */
  static String url(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder().username("").password("");
    for (String name : url.queryParameterNames()) {
      if (isSensitive(name)) {
        b.setQueryParameter(name, REDACTED);
      }
    }
    return b.build().toString();
  }

  /** Returns the URL's encoded path plus its redacted query, for messages and trace labels. */
  static String pathAndQuery(HttpUrl url) {
    HttpUrl redacted = HttpUrl.get(url(url));
    String query = redacted.encodedQuery();
    return redacted.encodedPath() + (query == null ? "" : "?" + query);
  }

  private static String cut(String value) {
    return value.length() <= MAX_HEADER_VALUE ? value : value.substring(0, MAX_HEADER_VALUE) + "…";
  }
}
