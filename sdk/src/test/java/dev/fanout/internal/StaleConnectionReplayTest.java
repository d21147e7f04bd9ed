package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;

/** Which failed requests {@link StaleConnectionReplay} may send again: the rule alone, without a socket. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class StaleConnectionReplayTest {

  @ParameterizedTest(name = "{0} with key {1}: {2}")
  @CsvSource({
      "GET,,true", "HEAD,,true", "OPTIONS,,true", "TRACE,,true", "PUT,,true", "DELETE,,true",
      "POST,,false", "PATCH,,false",
      "POST,Idempotency-Key,true", "PATCH,X-Idempotency-Key,true"})
  void idempotentMethodsOrAnIdempotencyKeyAreReplayable(String method, String header, boolean replayable) {
    Request.Builder b = new Request.Builder().url("http://localhost/v1/chat/completions");
    if (header != null) {
      b.header(header, "k-1");
    }
    boolean hasBody = !method.equals("GET") && !method.equals("HEAD");
    Request request = b.method(method, hasBody ? RequestBody.create("{}", HttpEngine.JSON) : null).build();
    assertThat(StaleConnectionReplay.replayable(request)).isEqualTo(replayable);
  }

  @Test
  void aOneShotBodyIsNeverReplayed() {
    RequestBody oneShot = new RequestBody() {
      @Override
      public MediaType contentType() {
        return HttpEngine.JSON;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.writeUtf8("{}");
      }

      @Override
      public boolean isOneShot() {
        return true;
      }
    };
    Request put = new Request.Builder().url("http://localhost/x").put(oneShot).build();
    assertThat(StaleConnectionReplay.replayable(put)).isFalse();
  }

  @Test
  void onlyAClosedConnectionsFailureIsRecoverable() {
    assertThat(StaleConnectionReplay.recoverable(new IOException("unexpected end of stream on http://localhost/...",
        new EOFException("\\n not found: limit=0 content=…")))).isTrue();
    assertThat(StaleConnectionReplay.recoverable(new java.net.SocketException("Connection reset"))).isTrue();
    assertThat(StaleConnectionReplay.recoverable(new SocketTimeoutException("timeout")))
        .as("a read timeout: the server may be working on it").isFalse();
    assertThat(StaleConnectionReplay.recoverable(new InterruptedIOException("interrupted"))).isFalse();
    assertThat(StaleConnectionReplay.recoverable(new ProtocolException("Unexpected status line: HTTP/1.1 2x0")))
        .as("the server spoke").isFalse();
    assertThat(StaleConnectionReplay.recoverable(new SSLHandshakeException("bad certificate"))).isFalse();
  }
}
