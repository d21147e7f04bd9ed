package dev.fanout.mock.internal;

import dev.fanout.mock.ReceivedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/**
 * One simulated backend as a MockWebServer {@link Dispatcher}: it turns a request into a {@link
 * Reply} (the payload, or a 4xx for bad input). Used on its own it answers at once; the {@link
 * Router} composes the backends and adds latency, faults and stats.
 */
public abstract class BackendDispatcher extends Dispatcher {
  /** Answers {@code request}; never throws for bad input (that is a 4xx reply). */
  public abstract Reply handle(ReceivedRequest request);

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    return render(handle(MockWebServerEngine.received(request, false).build()));
  }

  /** Renders a reply as a complete response, without delays. */
  static MockResponse render(Reply reply) {
    MockResponse.Builder b = new MockResponse.Builder().code(reply.code);
    for (Map.Entry<String, String> h : reply.headers.entrySet()) b.setHeader(h.getKey(), h.getValue());
    if (reply.isStream()) {
      Buffer all = new Buffer();
      for (byte[] frame : reply.frames()) all.write(frame);
      return b.setHeader("Content-Type", SseBody.CONTENT_TYPE).body(all).build();
    }
    return b.setHeader("Content-Type", reply.contentType).body(new Buffer().write(reply.json)).build();
  }

  /** The request body as UTF-8, for messages. */
  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
