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

/**
 * The gate reads a chat request's tag, and parses a body only for an untagged JSON call to a chat path; the
 * bucket views it keeps stay bounded however many routes a client calls.
 */
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
  void aTokenCountIsNotAChatCallItsBodyIsNotParsedAndItGoesToItsRouteBucket() throws Exception {
    CountingBody body = new CountingBody("{\"model\":\"claude-test\",\"messages\":[]}");
    Request count = new Request.Builder().url("http://localhost:1/v1/messages/count_tokens").post(body).build();

    assertThat(GovernorGate.isChat(count.url().encodedPath())).isFalse();
    assertThat(GovernorGate.isModelApi(count.url().encodedPath())).isFalse();
    assertThat(bucketOf(count)).endsWith(" /v1/messages/count_tokens");
    assertThat(body.writes).as("no model, no token estimate read from the body").hasValue(0);
  }

  @Test
  void anUntaggedJsonCallToAChatPathIsParsed() throws Exception {
    CountingBody body = new CountingBody("{\"model\":\"gpt-body\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    Request untagged = new Request.Builder().url("http://localhost:1/v1/chat/completions").post(body).build();

    assertThat(bucketOf(untagged)).endsWith(" gpt-body");
    assertThat(body.writes).hasValue(1);
  }

  @Test
  void callsToManyDistinctRoutesKeepABoundedNumberOfBucketViews() throws Exception {
    int routes = GovernorGate.MAX_VIEWS + 500;
    for (int i = 0; i < routes; i++) {
      // route words, not ids: each path is a bucket of its own
      Request request = new Request.Builder().url("http://localhost:1/v1/names/" + word(i)).build();
      bucketOf(request);
    }

    assertThat(gate.viewCount()).isBetween(1, GovernorGate.MAX_VIEWS);
  }

  /** A word of letters only, a different one for each {@code i}. */
  private static String word(int i) {
    StringBuilder sb = new StringBuilder();
    do {
      sb.append((char) ('a' + i % 26));
      i /= 26;
    } while (i > 0);
    return sb.toString();
  }
}
