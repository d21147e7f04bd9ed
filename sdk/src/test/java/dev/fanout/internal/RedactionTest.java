package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Redaction.Secrets}: what it finds in text a server sent back, and what it leaves alone. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class RedactionTest {
  static final String KEY = "sk-proj-A1b2/C3d4+E5f6G7h8";
  static final Redaction.Secrets SECRETS = Redaction.Secrets.of(
      new Request.Builder().url("http://h/x?q=1&code=12&api_key=query-secret-value").header("Authorization", "Bearer " + KEY)
          .header("X-Api-Key", "k2").build());

  @Test
  void theKeyIsFoundInEveryEncoding() {
    assertThat(SECRETS.redact("Bearer " + KEY + " is wrong")).isEqualTo("Bearer ██ is wrong");
    assertThat(SECRETS.redact("{\"a\":\"sk\\u002dproj\\u002DA1b2\\/C3d4+E5f6G7h8\"}")).isEqualTo("{\"a\":\"██\"}");
    assertThat(SECRETS.redact("a=sk-proj-A1b2%2FC3d4%2bE5f6G7h8&b")).isEqualTo("a=██&b");
    assertThat(SECRETS.redact("a=sk-proj-A1b2%252FC3d4%252BE5f6G7h8&b")).isEqualTo("a=██&b");
    assertThat(SECRETS.redact("<b>sk&#45;proj&#x2d;A1b2&#47;C3d4+E5f6G7h8</b>")).isEqualTo("<b>██</b>");
    assertThat(SECRETS.redact("x sk\\\\u002dproj-A1b2\\\\/C3d4+E5f6G7h8")).isEqualTo("x ██");
    assertThat(SECRETS.redact("the query said query-secret-value")).isEqualTo("the query said ██");
    assertThat(SECRETS.redact("short header key k2 is redacted: k2")).isEqualTo("short header key ██ is redacted: ██");
  }

  @Test
  void partsOfTheKeyAreFoundToo() {
    // OpenAI's own 401 quotes the first characters and the last four.
    assertThat(SECRETS.redact("Incorrect API key provided: sk-proj-A1b2****G7h8."))
        .isEqualTo("Incorrect API key provided: ██****G7h8.");
    // A cut inside the key leaves its first characters at the end.
    assertThat(SECRETS.redact("error: Bearer sk-p…")).isEqualTo("error: Bearer ██…");
    // Texts are prefixes of what the server sent: their start is never a cut, so a short run there stays.
    assertThat(SECRETS.redact("G7h8 was the rest")).isEqualTo("G7h8 was the rest");
    assertThat(SECRETS.excerpt("x".repeat(10) + KEY, 14)).isEqualTo("x".repeat(10) + "██"); // fits once redacted
    assertThat(SECRETS.excerpt("x".repeat(20) + KEY, 14)).isEqualTo("x".repeat(14) + "…");
    assertThat(SECRETS.excerpt("y".repeat(100_000) + KEY, 20)).isEqualTo("y".repeat(20) + "…");
  }

  @Test
  void textWithoutASecretIsLeftAsItIs() {
    String text = "HTTP 500: sk- proj- A1b2 %2F \\u002d &#45; 12 code 1 … \\\\";
    assertThat(SECRETS.redact(text)).isSameAs(text);
    assertThat(Redaction.Secrets.NONE.redact(KEY)).isEqualTo(KEY);
    assertThat(Redaction.Secrets.of(new Request.Builder().url("http://h/?code=12").build()).isEmpty())
        .as("a 2-character value of a secret-looking query parameter is no secret").isTrue();
  }

  @Test
  void anExceptionChainIsCopiedOnlyIfItHoldsASecret() {
    IOException clean = new IOException("unexpected end of stream");
    assertThat(SECRETS.scrub(clean)).isSameAs(clean);

    RuntimeException dirty = new RuntimeException("wrapper", new IOException("Unexpected status line: Bearer " + KEY));
    Throwable scrubbed = SECRETS.scrub(dirty);

    assertThat(scrubbed).isNotSameAs(dirty).hasMessage("wrapper");
    assertThat(scrubbed.toString()).isEqualTo("java.lang.RuntimeException: wrapper");
    assertThat(scrubbed.getCause().toString()).isEqualTo("java.io.IOException: Unexpected status line: Bearer ██");
    assertThat(scrubbed.getStackTrace()).isEqualTo(dirty.getStackTrace());

    IOException io = SECRETS.scrub(new java.net.ProtocolException("Unexpected status line: HTTP/1.1 2xx Bearer " + KEY));
    assertThat(io).hasToString("java.net.ProtocolException: Unexpected status line: HTTP/1.1 2xx Bearer ██");
  }
}
