package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.JsonNode;
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

  /**
   * The JSON body of a POST to exactly {@code route}, or the reply OpenAI gives when the request is not one:
   * 404 for another path, 405 for another method, 400 for a body that is not JSON.
   */
  static JsonPost jsonPost(ReceivedRequest request, String route) {
    String path = request.path();
    if (!path.equals(route)) {
      return new JsonPost(null, Reply.notFound("no route for " + request.method() + " " + path));
    }
    if (!"POST".equals(request.method())) {
      return new JsonPost(null, Reply.methodNotAllowed(request.method(), path, "POST"));
    }
    byte[] body = request.body();
    JsonNode root = Json.parseOrNull(body);
    if (root == null || body.length == 0) {
      return new JsonPost(null, Reply.badRequest("We could not parse the JSON body of your request. (HINT: This "
          + "likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)", null));
    }
    return new JsonPost(root, null);
  }

  /** A request's JSON body ({@code root}), or the reply that refuses the request ({@code refusal}); one is null. */
  record JsonPost(JsonNode root, Reply refusal) {}

  /** The request body as UTF-8, for messages. */
  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
