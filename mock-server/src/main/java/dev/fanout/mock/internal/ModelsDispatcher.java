package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.util.List;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} in OpenAI's shape. */
public final class ModelsDispatcher extends BackendDispatcher {
  /** The model ids the mock lists; chat accepts any model name. */
  public static final List<String> MODELS = List.of("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "fanout-mock-1");
  private static final long CREATED = 1_700_000_000L;

  static ObjectNode model(String id) {
    ObjectNode m = Json.object();
    m.put("id", id);
    m.put("object", "model");
    m.put("created", CREATED + MODELS.indexOf(id) * 86_400L);
    m.put("owned_by", "fanout-mock");
    return m;
  }

  @Override
  public Reply handle(ReceivedRequest request) {
    String path = request.path();
    if (!"GET".equals(request.method())) return Reply.methodNotAllowed(request.method(), path, "GET");
    List<String> segments = request.pathSegments();
    if (segments.size() == 2 || (segments.size() == 3 && segments.get(2).isEmpty())) {
      ObjectNode list = Json.object();
      list.put("object", "list");
      ArrayNode data = list.putArray("data");
      for (String id : MODELS) data.add(model(id));
      return Reply.json(200, list);
    }
    if (segments.size() == 3 && MODELS.contains(segments.get(2))) {
      return Reply.json(200, model(segments.get(2)));
    }
    if (segments.size() == 3) {
      return Reply.error(404, "The model '" + segments.get(2) + "' does not exist", "invalid_request_error",
          "model", "model_not_found");
    }
    return Reply.notFound("no route for GET " + path);
  }
}
