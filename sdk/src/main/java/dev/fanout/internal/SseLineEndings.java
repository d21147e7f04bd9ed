package dev.fanout.internal;

import java.io.IOException;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import okio.Source;

/**
 * Rewrites an event stream's line endings to {@code \n} before OkHttp's SSE reader sees them. The SSE format
 * allows {@code \r\n}, {@code \n} and a lone {@code \r}; OkHttp's {@code ServerSentEventReader} (5.x) loops
 * without consuming input on events ended by lone {@code \r}s, holding a thread at 100% of a core for as
 * long as the connection stays open. {@code \r\n} becomes {@code \n} and a lone {@code \r} becomes
 * {@code \n}, also when the pair is split between two reads; nothing else changes.
 */
final class SseLineEndings {
  private SseLineEndings() {}

  /** Returns {@code response} with its body's line endings rewritten; a response without a body as it is. */
  static Response normalize(Response response) {
    ResponseBody body = response.body();
    if (body == null) {
      return response;
    }
    BufferedSource source = Okio.buffer(new Normalizing(body.source()));
    return response.newBuilder()
        .body(ResponseBody.create(source, body.contentType(), -1))
        .build();
  }

  private static final class Normalizing extends ForwardingSource {
    private final Buffer raw = new Buffer();
    /** The last byte passed on was a {@code \r} (written as {@code \n}): a {@code \n} right after it is dropped. */
    private boolean afterCr;

    Normalizing(Source delegate) {
      super(delegate);
    }

    @Override
    public long read(Buffer sink, long byteCount) throws IOException {
      while (true) {
        long n = super.read(raw, Math.max(1, byteCount));
        if (n == -1) {
          return -1;
        }
        long written = 0;
        while (!raw.exhausted()) {
          byte b = raw.readByte();
          if (b == '\n' && afterCr) {
            afterCr = false;
            continue;
          }
          afterCr = b == '\r';
          sink.writeByte(afterCr ? '\n' : b);
          written++;
        }
        if (written > 0) {
          return written;
        }
        // only the \n of a \r\n split across reads: read on
      }
    }
  }
}
