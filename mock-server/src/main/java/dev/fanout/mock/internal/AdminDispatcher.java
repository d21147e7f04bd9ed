package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import dev.fanout.mock.Stats;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** {@code GET /__admin/stats} and {@code POST /__admin/reset}. Never delayed, never faulted. */
public final class AdminDispatcher extends BackendDispatcher {
  private final Supplier<Stats> stats;
  private final Runnable reset;
  private final Supplier<Map<String, Object>> traceContext;

  public AdminDispatcher(Supplier<Stats> stats, Runnable reset) {
    this(stats, reset, null);
  }

  /** @param traceContext the trace context section ({@code "traceContext"}) of the stats; null for none */
  public AdminDispatcher(Supplier<Stats> stats, Runnable reset, Supplier<Map<String, Object>> traceContext) {
    this.stats = stats;
    this.reset = reset;
    this.traceContext = traceContext;
  }

  @Override
  public Reply handle(ReceivedRequest request) {
    String path = request.path();
    String method = request.method();
    switch (path) {
      case "/__admin/stats":
        if (!"GET".equals(method)) return Reply.methodNotAllowed(method, path, "GET");
        Map<String, Object> body = new LinkedHashMap<>(stats.get().toMap());
        if (traceContext != null) body.put("traceContext", traceContext.get());
        return Reply.json(200, Json.MAPPER.valueToTree(body));
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
