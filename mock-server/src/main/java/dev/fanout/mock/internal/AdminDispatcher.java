package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Stats;
import java.util.function.Supplier;

/** {@code GET /__admin/stats} and {@code POST /__admin/reset}. Never delayed, never faulted. */
public final class AdminDispatcher extends BackendDispatcher {
  private final Supplier<Stats> stats;
  private final Runnable reset;

  public AdminDispatcher(Supplier<Stats> stats, Runnable reset) {
    this.stats = stats;
    this.reset = reset;
  }

  @Override
  public Reply handle(ReceivedRequest request) {
    String path = request.path();
    String method = request.method();
    switch (path) {
      case "/__admin/stats":
        if (!"GET".equals(method)) return Reply.methodNotAllowed(method, path, "GET");
        return Reply.json(200, Json.MAPPER.valueToTree(stats.get().toMap()));
      case "/__admin/reset":
        if (!"POST".equals(method)) return Reply.methodNotAllowed(method, path, "POST");
        reset.run();
        ObjectNode ok = Json.object();
        ok.put("reset", true);
        return Reply.json(200, ok);
      default:
        return Reply.notFound("no route for " + method + " " + path + " (admin routes: GET /__admin/stats, POST /__admin/reset)");
    }
  }
}
