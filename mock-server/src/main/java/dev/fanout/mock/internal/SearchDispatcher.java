package dev.fanout.mock.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.mock.ReceivedRequest;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /search?q=...&k=...}: a retriever for RAG samples. Answers {@code {"query": q,
 * "documents": [{"id", "text", "score"}, ...]}} with exactly {@code k} documents (default {@value
 * #DEFAULT_K}, at most {@value #MAX_K}), deterministic from the query, scores descending in (0, 1].
 */
public final class SearchDispatcher extends BackendDispatcher {
  public static final int DEFAULT_K = 5;
  public static final int MAX_K = 100;
  public static final int MAX_QUERY_LENGTH = 2_000;

  private static final List<String> TOPICS = List.of(
      "latency budgets", "fan-out patterns", "retrieval quality", "rate limiting", "tail latency",
      "hedged requests", "connection pooling", "backpressure", "timeouts and deadlines", "caching");

  @Override
  public Reply handle(ReceivedRequest request) {
    String path = request.path();
    if (!"GET".equals(request.method())) return Reply.methodNotAllowed(request.method(), path, "GET");
    if (!path.equals("/search") && !path.equals("/search/")) return Reply.notFound("no route for GET " + path);
    String q = request.queryParameter("q");
    if (q == null || q.isBlank()) return Reply.badRequest("missing query parameter 'q'", "q");
    if (q.length() > MAX_QUERY_LENGTH) {
      return Reply.badRequest("query too long: " + q.length() + " characters (max " + MAX_QUERY_LENGTH + ")", "q");
    }
    int k = DEFAULT_K;
    String rawK = request.queryParameter("k");
    if (rawK != null) {
      try {
        k = Integer.parseInt(rawK.trim());
      } catch (NumberFormatException e) {
        return Reply.badRequest("invalid k: '" + rawK + "' (expected an integer 1.." + MAX_K + ")", "k");
      }
      if (k < 1 || k > MAX_K) return Reply.badRequest("k out of range 1.." + MAX_K + ": " + k, "k");
    }
    return Reply.json(200, results(q, k));
  }

  /** The answer for query {@code q} and {@code k} documents. */
  public static ObjectNode results(String q, int k) {
    long h = Crc.of(q.toLowerCase(Locale.ROOT).trim());
    ObjectNode root = Json.object();
    root.put("query", q);
    ArrayNode docs = root.putArray("documents");
    double score = 0.99 - (h % 7) / 100.0;
    for (int i = 0; i < k; i++) {
      long docHash = Crc.of(h + ":" + i);
      String topic = TOPICS.get((int) (docHash % TOPICS.size()));
      ObjectNode d = docs.addObject();
      d.put("id", String.format("doc-%08x", docHash));
      d.put("text", "Passage " + (i + 1) + " about " + topic + ", relevant to \"" + q + "\".");
      d.put("score", Math.round(score * 10_000) / 10_000.0);
      score = score * (0.90 + (docHash % 8) / 100.0);
    }
    return root;
  }
}
