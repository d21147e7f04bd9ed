package dev.fanout.internal;

import dev.fanout.errors.DecodeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/** Reads response bodies with a size cap, so an oversized body fails instead of exhausting memory. */
final class Bodies {
  private Bodies() {}

  /**
   * Returns the whole body, failing with {@link DecodeException} if it is longer than {@code maxBytes}.
   * Reads at most {@code maxBytes + 1} bytes.
   */
  static byte[] readBounded(ResponseBody body, long maxBytes, String label) throws IOException {
    long declared = body.contentLength();
    if (declared > maxBytes) {
      throw new DecodeException(
          label + ": response body of " + declared + " bytes exceeds maxResponseBytes " + maxBytes);
    }
    BufferedSource source = body.source();
    if (source.request(maxBytes == Long.MAX_VALUE ? Long.MAX_VALUE : maxBytes + 1)) {
      throw new DecodeException(
          label + ": response body exceeds maxResponseBytes " + maxBytes);
    }
    return source.readByteArray();
  }

  /** Returns up to {@code maxBytes} of the body as UTF-8 text, never failing on size; "" on I/O errors. */
  static String readPrefix(ResponseBody body, long maxBytes) {
    if (body == null) {
      return "";
    }
    try {
      BufferedSource source = body.source();
      source.request(maxBytes);
      Buffer buffer = source.getBuffer();
      long n = Math.min(buffer.size(), maxBytes);
      String text = buffer.clone().readString(n, StandardCharsets.UTF_8);
      return buffer.size() > maxBytes ? text + "…" : text;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
