package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.GovernorPolicy;
import dev.fanout.internal.governor.Governor;
import dev.fanout.testing.FakeClock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gate reads a chat request's tag, and parses a body only for an untagged JSON call to a chat path. */
@Timeout(10)
class GovernorGateTagTest {
  private final GovernorGate gate = GovernorGate.of(Governor.create(GovernorPolicy.defaults(), Integer.MAX_VALUE,
      FakeClock.create()));

  /** A JSON body that counts how often it is written (a parse writes it once). */
  private static final class CountingBody extends RequestBody {
    final AtomicInteger writes = new AtomicInteger();
    private final byte[] bytes;

    CountingBody(String json) {
      this.bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public MediaType contentType() {
      return HttpEngine.JSON;
    }

    @Override
    public long contentLength() {
      return bytes.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws java.io.IOException {
      writes.incrementAndGet();
      sink.write(bytes);
    }
  }

  private String bucketOf(Request request) throws Exception {
    AttemptGate.Permit permit = gate.acquire(request, 1).get(5, TimeUnit.SECONDS);
    try {
      return permit.bucket().key();
    } finally {
      permit.onFailure(new java.io.IOException("test"));
    }
  }

  @Test
  void aTaggedChatRequestIsGovernedByItsTagWithoutParsingItsBody() throws Exception {
    CountingBody body = new CountingBody("{\"model\":\"gpt-body\",\"messages\":[]}");
    Request tagged = new Request.Builder().url("http://localhost:1/v1/chat/completions").post(body)
        .tag(ChatTag.class, new ChatTag("gpt-tag", 400, 16)).build();

    assertThat(bucketOf(tagged)).endsWith(" gpt-tag");
    assertThat(body.writes).as("the body was not parsed").hasValue(0);
  }

  @Test
  void anUntaggedJsonCallToAChatPathIsParsed() throws Exception {
    CountingBody body = new CountingBody("{\"model\":\"gpt-body\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    Request untagged = new Request.Builder().url("http://localhost:1/v1/chat/completions").post(body).build();

    assertThat(bucketOf(untagged)).endsWith(" gpt-body");
    assertThat(body.writes).hasValue(1);
  }
}
