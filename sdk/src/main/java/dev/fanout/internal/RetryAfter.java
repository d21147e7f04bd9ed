package dev.fanout.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import okhttp3.Headers;

/** Reads the wait a server asks for: {@code Retry-After-Ms}, then {@code Retry-After} (seconds or HTTP date). */
final class RetryAfter {
  private RetryAfter() {}

  /** Returns the requested wait, {@link Duration#ZERO} for a date in the past, or null if absent or unparseable. */
  static Duration parse(Headers headers, Instant now) {
    String ms = headers.get("retry-after-ms");
    if (ms != null) {
      try {
        double millis = Double.parseDouble(ms.trim());
        if (millis >= 0 && !Double.isInfinite(millis)) {
          return Duration.ofNanos((long) Math.min(millis * 1_000_000d, (double) Long.MAX_VALUE));
        }
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    String value = headers.get("retry-after");
    if (value == null) {
      return null;
    }
    value = value.trim();
    try {
      double seconds = Double.parseDouble(value);
      if (seconds < 0 || Double.isNaN(seconds)) {
        return null;
      }
      return Duration.ofNanos((long) Math.min(seconds * 1e9, (double) Long.MAX_VALUE));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(now, at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }
}
