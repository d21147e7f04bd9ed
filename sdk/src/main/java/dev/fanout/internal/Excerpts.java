package dev.fanout.internal;

import java.util.Objects;

/**
 * The short forms of text that error messages and {@code toString()} quote: cut to {@value #MAX_CHARS}
 * characters with {@code …} when cut, and for {@link #abbreviate} put on one line first. They redact nothing:
 * text that may hold a credential goes through {@link Redaction.Secrets#excerpt} instead. Not public API.
 */
public final class Excerpts {
  /** How many characters an excerpt keeps. */
  static final int MAX_CHARS = 120;

  private Excerpts() {}

  /** Returns {@code s} ({@code "null"} for null) on one line, each run of white space one space, then {@link #cut}. */
  public static String abbreviate(String s) {
    return cut(Objects.toString(s).replaceAll("\\s+", " "));
  }

  /** Returns {@code s} cut to {@value #MAX_CHARS} characters, with {@code …} when cut. */
  public static String cut(String s) {
    return cut(s, MAX_CHARS);
  }

  /** Returns {@code s} cut to {@code maxChars} characters, with {@code …} when cut. */
  static String cut(String s, int maxChars) {
    return s.length() <= maxChars ? s : s.substring(0, maxChars) + "…";
  }
}
