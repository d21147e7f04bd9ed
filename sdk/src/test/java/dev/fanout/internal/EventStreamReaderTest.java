package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutTimeoutException;
import dev.fanout.internal.telemetry.GenAiResponse;
import dev.fanout.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rules both stream readers (chat and Messages) take from {@link EventStreamReader}, on a minimal reader
 * driven by hand: events {@code {"piece": "..."}} and a last event {@code {"end": true}}.
 */
@Timeout(10)
class EventStreamReaderTest {
  private static final String KEY = "sk-test-0123456789abcdef";

  private final FakeClock clock = FakeClock.create();
  private final Attempt call = new Attempt();

  @AfterEach
  void tearDown() {
    clock.shutdown();
  }

  /** The attempt as a reader sees it: a label, and what the reader told it. */
  private static final class Attempt implements AttemptContext {
    int cancels;

    @Override
    public String label() {
      return "POST /v1/test";
    }

    @Override
    public void commit() {}

    @Override
    public void firstChunk() {}

    @Override
    public void genAiResponse(GenAiResponse response) {}

    @Override
    public void cancelAttempt() {
      cancels++;
    }
  }

  /** Joins the pieces; {@code {"end": true}} is the stream's last event. */
  private static final class Pieces extends EventStreamReader<String> {
    final List<String> pieces = new ArrayList<>();
    String decodeFailure;

    Pieces(AttemptContext call, long maxBytes, IdleWatch idle) {
      super(call, maxBytes, Redaction.Secrets.of(
          new Request.Builder().url("http://localhost/").header("Authorization", "Bearer " + KEY).build()), idle);
    }

    @Override
    void read(okhttp3.sse.EventSource source, String type, String data) {
      count(data);
      var event = object(data);
      if (event.path("end").asBoolean()) {
        done = true;
        idle.progress();
        return;
      }
      pieces.add(event.path("piece").asText());
      deltas++;
      idle.progress();
    }

    @Override
    String unfinished() {
      return "stream ended without its end after " + deltas + " pieces";
    }

    @Override
    ObjectNode assembled() {
      return Json.MAPPER.createObjectNode().put("text", String.join("", pieces));
    }

    @Override
    String decode(ObjectNode json) {
      if (decodeFailure != null) {
        throw new DecodeException(decodeFailure);
      }
      return json.path("text").asText();
    }
  }

  private Pieces reader(long maxBytes, Duration idleTimeout) {
    return new Pieces(call, maxBytes, new IdleWatch(call, clock, idleTimeout));
  }

  @Test
  void theResultIsAssembledAtTheLastEventAndWhatFollowsIsIgnored() throws IOException {
    Pieces r = reader(1000, Duration.ZERO);
    r.onEvent(null, null, null, "{\"piece\": \"a\"}");
    r.onEvent(null, null, null, "{\"piece\": \"b\"}");
    r.onEvent(null, null, null, "{\"end\": true}");
    r.onEvent(null, null, null, "{\"piece\": \"late\"}");
    r.onEvent(null, null, null, "not even JSON");
    r.onFailure(null, new IOException("closed after the end"), null);

    assertThat(r.result()).isEqualTo("ab");
  }

  @Test
  void aStreamCutShortSaysHowFarItGot() {
    Pieces r = reader(1000, Duration.ZERO);
    r.onEvent(null, null, null, "{\"piece\": \"a\"}");

    assertThatThrownBy(r::result).isInstanceOf(DecodeException.class)
        .hasMessage("POST /v1/test: stream ended without its end after 1 pieces");
  }

  @Test
  void anEventThatIsNotAJsonObjectIsNamedWithTheKeyTakenOut() {
    Pieces r = reader(1000, Duration.ZERO);

    assertThatThrownBy(() -> r.onEvent(null, null, null, "<<garbage " + KEY + ">>"))
        .isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("POST /v1/test: stream event is not JSON: <<garbage ")
        .hasMessageNotContaining(KEY);
    assertThatThrownBy(() -> r.onEvent(null, null, null, "[1, 2]"))
        .isInstanceOf(DecodeException.class).hasMessage("POST /v1/test: stream event is not a JSON object: [1, 2]");
  }

  @Test
  void theStreamFailsOnceItsEventsPassMaxResponseBytes() {
    Pieces r = reader(30, Duration.ZERO);
    r.onEvent(null, null, null, "{\"piece\": \"0123456789\"}"); // 23 characters

    assertThatThrownBy(() -> r.onEvent(null, null, null, "{\"piece\": \"x\"}"))
        .isInstanceOf(DecodeException.class).hasMessage("POST /v1/test: stream exceeds maxResponseBytes 30");
  }

  @Test
  void aTransportFailureIsThrownAsItIsAndAnyOtherAsARedactedDecodeError() {
    Pieces io = reader(1000, Duration.ZERO);
    IOException reset = new IOException("connection reset");
    io.onFailure(null, reset, null);
    assertThatThrownBy(io::result).isSameAs(reset);

    Pieces other = reader(1000, Duration.ZERO);
    other.onFailure(null, new IllegalStateException("bad frame near " + KEY), null);
    assertThatThrownBy(other::result).isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("POST /v1/test: bad frame near ").hasMessageNotContaining(KEY);

    Pieces unknown = reader(1000, Duration.ZERO);
    unknown.onFailure(null, null, null);
    assertThatThrownBy(unknown::result).isInstanceOf(DecodeException.class).hasMessage("POST /v1/test: stream failed");
  }

  @Test
  void aStreamThatWentIdleFailsWithTheIdleTimeoutAfterCancellingItsAttempt() {
    Pieces r = reader(1000, Duration.ofSeconds(5));
    r.onEvent(null, null, null, "{\"piece\": \"a\"}");
    clock.advance(Duration.ofSeconds(5));
    r.onFailure(null, new IOException("Canceled"), null);

    assertThat(call.cancels).isEqualTo(1);
    assertThatThrownBy(r::result).isInstanceOf(FanoutTimeoutException.class)
        .hasMessageContaining("POST /v1/test: the stream sent nothing new for 5000 ms").hasMessageContaining("after 1 deltas");
  }

  @Test
  void aDecodeFailureOfTheAssembledResultGetsTheCallsLabel() {
    Pieces r = reader(1000, Duration.ZERO);
    r.onEvent(null, null, null, "{\"end\": true}");
    r.decodeFailure = "missing field text";

    assertThatThrownBy(r::result).isInstanceOf(DecodeException.class)
        .hasMessage("POST /v1/test: missing field text").cause().hasMessage("missing field text");
  }
}
