package dev.fanout.mock;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The route names a {@link MockBackend} reports in its {@link Stats} and accepts in per-route overrides. */
public final class Routes {
  /** {@code GET /users/{id}}. */
  public static final String USERS = "users";
  /** {@code POST /v1/chat/completions}. */
  public static final String CHAT = "chat";
  /** {@code POST /v1/embeddings}. */
  public static final String EMBEDDINGS = "embeddings";
  /** {@code POST /v1/messages}: Anthropic's Messages API, metered like Anthropic's. */
  public static final String MESSAGES = "messages";
  /**
   * {@code POST /v1/messages/count_tokens}: Anthropic's token counting, validated like {@link #MESSAGES} but
   * not metered (Anthropic meters it apart from messages, by requests only).
   */
  public static final String COUNT_TOKENS = "count_tokens";
  /** {@code GET /v1/models}. */
  public static final String MODELS = "models";
  /** {@code GET /search?q=...&k=...}. */
  public static final String SEARCH = "search";
  /** {@code GET /__admin/stats}, {@code POST /__admin/reset}: never delayed, never faulted. */
  public static final String ADMIN = "admin";
  /**
   * OpenAI's Files and Batch APIs: {@code /v1/files}, {@code /v1/files/{id}}, {@code /v1/files/{id}/content},
   * {@code /v1/batches}, {@code /v1/batches/{id}}, {@code /v1/batches/{id}/cancel}. Never delayed, never faulted.
   */
  public static final String BATCH = "batch";
  /** Anything else (answered 404). */
  public static final String UNKNOWN = "unknown";

  /** The routes that take per-route latency and fault overrides. */
  public static final List<String> BACKENDS = List.of(USERS, CHAT, MODELS, SEARCH, EMBEDDINGS, MESSAGES, COUNT_TOKENS);

  /**
   * The routes a global {@code requestsPerMinute}/{@code tokensPerMinute} meters OpenAI's way: one quota per
   * model, shared by the routes (like one key, whose limits OpenAI sets per model). {@link #MESSAGES} is
   * metered too, Anthropic's way, with quotas of its own (one per model); {@link #COUNT_TOKENS} is not metered.
   */
  public static final List<String> METERED = List.of(CHAT, EMBEDDINGS);

  /** Every route name that appears in stats. */
  public static final List<String> ALL = List.of(USERS, CHAT, MODELS, SEARCH, EMBEDDINGS, MESSAGES, COUNT_TOKENS, ADMIN,
      BATCH, UNKNOWN);

  private Routes() {}

  static String requireBackend(String route) {
    if (route == null) throw new IllegalArgumentException("route == null");
    if (!BACKENDS.contains(route)) {
      throw new IllegalArgumentException("unknown route: '" + route + "' (expected one of " + BACKENDS + ")");
    }
    return route;
  }

  /**
   * Puts {@code override} for the backend {@code route} into a builder's {@code overrides}, refusing a null one
   * and one that has overrides of its own ({@code overridesOf}).
   */
  static <T> void putOverride(Map<String, T> overrides, String route, T override, Function<T, Map<String, T>> overridesOf) {
    requireBackend(route);
    if (override == null) throw new IllegalArgumentException("override == null");
    if (!overridesOf.apply(override).isEmpty()) {
      throw new IllegalArgumentException("a route override cannot have its own overrides: " + override);
    }
    overrides.put(route, override);
  }

  /** The override for {@code route} in {@code overrides} if any, otherwise {@code self}. */
  static <T> T overrideOr(Map<String, T> overrides, String route, T self) {
    T override = overrides.get(route);
    return override != null ? override : self;
  }
}
