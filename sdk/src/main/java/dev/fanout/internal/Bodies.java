package dev.fanout.internal;

import dev.fanout.errors.DecodeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

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

  /**
   * Returns {@code response} with a body that fails with {@link DecodeException} as soon as more than
   * {@code maxBytes} bytes have been read from it, for bodies read incrementally (streams): a hostile
   * server's endless line is cut at the cap instead of being buffered whole.
   */
  static Response capped(Response response, long maxBytes, String label) {
    ResponseBody body = response.body();
    if (body == null || maxBytes == Long.MAX_VALUE) {
      return response;
    }
    Source counting = new ForwardingSource(body.source()) {
      private long total;

      @Override
      public long read(Buffer sink, long byteCount) throws IOException {
        long n = super.read(sink, byteCount);
        if (n > 0) {
          total += n;
          if (total > maxBytes) {
            throw new DecodeException(label + ": stream exceeds maxResponseBytes " + maxBytes);
          }
        }
        return n;
      }
    };
    return response.newBuilder()
        .body(ResponseBody.create(Okio.buffer(counting), body.contentType(), body.contentLength()))
        .build();
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
