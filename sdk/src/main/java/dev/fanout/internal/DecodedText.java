package dev.fanout.internal;

import java.util.Arrays;

/** Text with its escapes undone, each decoded character remembering the span of the original it came from. */
final class DecodedText {
  final char[] chars;
  final int[] starts;
  final int[] ends;

  private DecodedText(char[] chars, int[] starts, int[] ends) {
    this.chars = chars;
    this.starts = starts;
    this.ends = ends;
  }

  int length() {
    return chars.length;
  }

  static DecodedText of(String text) {
    int n = text.length();
    char[] chars = new char[n];
    int[] starts = new int[n];
    int[] ends = new int[n];
    int count = 0;
    int i = 0;
    while (i < n) {
      int start = i;
      char c = text.charAt(i);
      int len = 1;
      char decoded = c;
      if (c == '\\') {
        int j = i;
        while (j < n && text.charAt(j) == '\\') {
          j++;
        }
        if (j + 4 < n && text.charAt(j) == 'u' && hex(text, j + 1, 4) >= 0) {
          decoded = (char) hex(text, j + 1, 4);
          len = j + 5 - i;
        } else if (j < n && !Character.isLetterOrDigit(text.charAt(j))) {
          decoded = text.charAt(j);
          len = j + 1 - i;
        }
      } else if (c == '%') {
        int v = hex(text, i + 1, 2);
        if (v >= 0) {
          decoded = (char) v;
          len = 3;
          int twice = v == '%' ? hex(text, i + 3, 2) : -1; // %25XX: encoded twice
          if (twice >= 0) {
            decoded = (char) twice;
            len = 5;
          }
        }
      } else if (c == '&' && i + 3 < n && text.charAt(i + 1) == '#') {
        int semi = text.indexOf(';', i + 2);
        if (semi > i + 2 && semi - i <= 10) {
          String ref = text.substring(i + 2, semi);
          int value = -1;
          if (ref.charAt(0) == 'x' || ref.charAt(0) == 'X') {
            value = hex(ref, 1, ref.length() - 1);
          } else if (ref.chars().allMatch(Character::isDigit)) {
            value = Integer.parseInt(ref);
          }
          if (value >= 0 && value <= Character.MAX_VALUE) {
            decoded = (char) value;
            len = semi + 1 - i;
          }
        }
      }
      chars[count] = decoded;
      starts[count] = start;
      ends[count] = start + len;
      count++;
      i += len;
    }
    return new DecodedText(Arrays.copyOf(chars, count), Arrays.copyOf(starts, count), Arrays.copyOf(ends, count));
  }

  /** Returns the original text with the spans of marked characters replaced, one marker per run. */
  String replace(String original, boolean[] marked) {
    StringBuilder out = new StringBuilder(original.length());
    int k = 0;
    while (k < chars.length) {
      if (!marked[k]) {
        out.append(original, starts[k], ends[k]);
        k++;
        continue;
      }
      while (k < chars.length && marked[k]) {
        k++;
      }
      out.append(Redaction.REDACTED);
    }
    return out.toString();
  }

  /** Returns the value of {@code digits} hex digits at {@code from}, or -1. */
  private static int hex(String s, int from, int digits) {
    if (digits <= 0 || digits > 6 || from + digits > s.length()) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < from + digits; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }
}
