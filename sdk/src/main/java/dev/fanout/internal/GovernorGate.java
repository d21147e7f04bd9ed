package dev.fanout.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fanout.GovernorReport;
import dev.fanout.internal.governor.BucketStats;
import dev.fanout.internal.governor.Governor;
import dev.fanout.internal.governor.GovernorKey;
import dev.fanout.internal.governor.TokenEstimate;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;

/**
 * The {@link AttemptGate} that admits every attempt through a client's rate-limit {@link Governor}.
 *
 * <p>Key: {@code host:port} and a bucket, the chat model for a chat completion or an Anthropic message
 * (from the request's {@link ChatTag}, which the chat service sets; only an untagged JSON call to a chat path
 * has its body parsed), else the path with its id-like segments replaced by {@code *}. A model API's
 * buckets (chat, messages, embeddings) probe with the policy's initial concurrency until their first
 * response; other routes start open ({@link GovernorKey#coldProbe()}). Chat calls are
 * estimated as OpenAI's limiter does (prompt characters / 4 plus {@code max_tokens}, or the policy's
 * default); the call path reports the usage the response body carries ({@link Permit#onUsage}), which
 * corrects the charge. Every permit reports back exactly once, on every path (see {@link #acquire(Request,
 * int, long)}).
 */
public final class GovernorGate implements AttemptGate {
  /** Bodies larger than this are not parsed for a model: the call goes to the route's bucket. */
  static final long MAX_PARSED_BODY = 1L << 20;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Views kept at most. A view holds nothing of its own (it reads its bucket from the governor when asked), so
   * the map is only a cache: emptied when it reaches this size, as a client that calls many distinct routes
   * would otherwise keep one view per route it ever called. Twice the buckets the governor keeps.
   */
  static final int MAX_VIEWS = 2 * Governor.MAX_BUCKETS;

  private final Governor governor;
  private final ConcurrentHashMap<GovernorKey, GovernedBucket> views = new ConcurrentHashMap<>();

  private GovernorGate(Governor governor) {
    this.governor = governor;
  }

  /** Returns a gate over {@code governor}. */
  public static GovernorGate of(Governor governor) {
    return new GovernorGate(Objects.requireNonNull(governor, "governor == null"));
  }

  public Governor governor() {
    return governor;
  }

  /** How many bucket views the gate keeps (for tests). */
  int viewCount() {
    return views.size();
  }

  @Override
  public boolean pacesRateLimits() {
    return governor.policy().enabled();
  }

  @Override
  public CompletableFuture<Permit> acquire(Request request, int attempt) {
    return acquire(request, attempt, NO_DEADLINE);
  }

  @Override
  public void close() {
    governor.close();
  }

  /**
   * Admits through the governor. The returned future is the caller's: cancelling it (the call's deadline,
   * its cancel, the client's close) cancels the governor's wait, and a permit the governor grants after the
   * caller gave up is released at once, so no permit is ever left holding a slot.
   */
  @Override
  public CompletableFuture<Permit> acquire(Request request, int attempt, long deadlineNanos) {
    if (!governor.policy().enabled()) {
      return CompletableFuture.completedFuture(Permit.NONE);
    }
    HttpUrl url = request.url();
    String host = hostName(url);
    String path = url.encodedPath();
    RouteTemplates.Tag route = request.tag(RouteTemplates.Tag.class); // the engine's: the caller's templates
    String bucket = route != null ? route.route() : routeTemplate(path);
    TokenEstimate estimate = TokenEstimate.NONE;
    ChatTag tag = request.tag(ChatTag.class);
    if (tag != null) {
      // the chat service wrote this body: what the governor needs is on the request, no parse
      if (tag.model() != null) {
        bucket = tag.model();
      }
      estimate = governor.estimateChat(tag.promptChars(), tag.maxTokens());
    } else if (isChat(path)) {
      JsonNode body = jsonBody(request.body()); // a caller's own JSON call to a chat path
      if (body != null) {
        JsonNode model = body.get("model");
        if (model != null && model.isTextual()) {
          bucket = model.asText();
        }
        JsonNode max = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        long maxTokens = max != null && max.canConvertToLong() ? Math.max(0, max.asLong()) : -1;
        estimate = governor.estimateChat(promptChars(body), maxTokens);
      }
    }
    GovernorKey key = new GovernorKey(host, bucket, isModelApi(path));
    CompletableFuture<dev.fanout.internal.governor.Permit> admission = governor.acquire(key, estimate,
        deadlineNanos == NO_DEADLINE ? Governor.NO_DEADLINE : deadlineNanos);
    if (admission.isDone() && !admission.isCompletedExceptionally()) {
      // Admitted at once (an open bucket, the usual case): no wait to cancel, so no second future.
      return CompletableFuture.completedFuture(adapt(admission.join(), governed(key)));
    }
    CompletableFuture<Permit> result = new CompletableFuture<>();
    admission.whenComplete((p, error) -> {
      if (error != null) {
        result.completeExceptionally(Futures.unwrap(error));
        return;
      }
      if (!p.waited().isZero() && HttpEngine.LOG.isDebugEnabled()) {
        HttpEngine.LOG.debug("{} {} {}: the governor held attempt {} for {} ms (the server's published limits or "
            + "a 429's pause)", request.method(), host, key.bucket(), attempt, p.waited().toMillis());
      }
      if (!result.complete(adapt(p, governed(key)))) {
        p.release(); // the caller gave up (cancelled) while the permit was being granted
      }
    });
    result.whenComplete((p, error) -> {
      if (result.isCancelled()) {
        admission.cancel(false); // gives the waiter's place up
      }
    });
    return result;
  }

  /** The last host a call went to, with its {@code host:port} name: a client calls one host, nearly always. */
  private record HostName(String host, int port, String name) {}

  private volatile HostName lastHost;

  /**
   * Returns {@code host:port} of {@code url}: the same string for every call to the last host, so the bucket
   * lookup hashes a string whose hash is cached instead of a new one per call.
   */
  private String hostName(HttpUrl url) {
    HostName last = lastHost;
    if (last != null && last.port() == url.port() && last.host().equals(url.host())) {
      return last.name();
    }
    String name = url.host() + ":" + url.port();
    lastHost = new HostName(url.host(), url.port(), name);
    return name;
  }

  private GovernedBucket governed(GovernorKey key) {
    GovernedBucket view = views.get(key);
    if (view != null) {
      return view;
    }
    if (views.size() >= MAX_VIEWS) {
      views.clear();
    }
    return views.computeIfAbsent(key, k -> new GovernedBucket() {
      private final String name = k.host() + " " + k.bucket();

      @Override
      public String key() {
        return name;
      }

      @Override
      public GovernorReport.Bucket snapshot() {
        BucketStats s = governor.stats(k);
        if (s == null) {
          return new GovernorReport.Bucket(k.host(), k.bucket(), OptionalInt.empty(), 0, 0, List.of());
        }
        List<GovernorReport.Limit> limits = new ArrayList<>();
        for (BucketStats.LimitStats l : s.limits()) {
          limits.add(new GovernorReport.Limit(GovernorReport.Dimension.valueOf(l.dimension().name()), l.limit(),
              l.windowNanos() > 0 ? Duration.ofNanos(l.windowNanos()) : Duration.ZERO, l.ratePerSecond(),
              l.remaining()));
        }
        return new GovernorReport.Bucket(k.host(), k.bucket(),
            s.capped() ? OptionalInt.of(s.concurrencyLimit()) : OptionalInt.empty(),
            s.rateLimited(), s.admitted(), limits);
      }
    });
  }

  private static Permit adapt(dev.fanout.internal.governor.Permit p, GovernedBucket bucket) {
    return new Permit() {
      @Override
      public void onResponse(Response response) {
        if (Errors.isSpendCap(response)) {
          // Anthropic's spend cap: a 429 no pace cures (the cap lifts next month), so not a rate signal.
          // Pausing the bucket and cutting its share would slow every other call for nothing.
          p.release();
          return;
        }
        p.onResponse(response.code(), response.headers(), OptionalLong.empty());
      }

      @Override
      public void onUsage(long totalTokens) {
        p.onUsage(totalTokens);
      }

      @Override
      public void onUsage(long inputTokens, long outputTokens) {
        p.onUsage(inputTokens, outputTokens);
      }

      @Override
      public GovernedBucket bucket() {
        return bucket;
      }

      @Override
      public void onFailure(Throwable error) {
        p.onFailure(error);
      }

      @Override
      public java.time.Duration waited() {
        return p.waited();
      }
    };
  }

  static boolean isChat(String path) {
    return path.endsWith("/chat/completions") || path.endsWith("/messages");
  }

  /** A model API's route (chat, Anthropic messages, embeddings, completions): its buckets probe when cold. */
  static boolean isModelApi(String path) {
    return isChat(path) || path.endsWith("/embeddings") || path.endsWith("/completions")
        || path.endsWith("/responses");
  }

  /**
   * Replaces path segments that look like ids with {@code *}: all digits, 8 or more characters with a digit
   * (UUIDs, hex, opaque ids), 24 or more characters of any kind, and anything with {@code @} or {@code %}.
   * Words are kept: {@code users/alice} stays a route of its own, which is why the governor and the hedger
   * bound how many routes they keep.
   */
  static String routeTemplate(String path) {
    // One pass, no split: a path with no id-like segment is returned as it is.
    StringBuilder sb = null;
    int n = path.length();
    int start = 0;
    while (true) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = n;
      }
      if (looksLikeId(path, start, end)) {
        if (sb == null) {
          sb = new StringBuilder(n).append(path, 0, start);
        }
        sb.append('*');
      } else if (sb != null) {
        sb.append(path, start, end);
      }
      if (end == n) {
        break;
      }
      if (sb != null) {
        sb.append('/');
      }
      start = end + 1;
    }
    return sb == null ? path : sb.toString();
  }

  /** A segment this long is an id or a token whatever its characters (no route word is). */
  private static final int LONG_SEGMENT = 24;

  /** Whether the segment {@code path[from, to)} looks like an id. */
  private static boolean looksLikeId(String path, int from, int to) {
    int length = to - from;
    if (length == 0) {
      return false;
    }
    if (length >= LONG_SEGMENT) {
      return true; // a token, a slug
    }
    boolean digit = false;
    boolean allDigits = true;
    for (int i = from; i < to; i++) {
      char c = path.charAt(i);
      if (c == '@' || c == '%') {
        return true; // an e-mail address, an encoded value
      }
      if (Character.isDigit(c)) {
        digit = true;
      } else {
        allDigits = false;
      }
    }
    return digit && (allDigits || length >= 8);
  }

  private static JsonNode jsonBody(RequestBody body) {
    if (body == null) {
      return null;
    }
    try {
      long length = body.contentLength();
      if (length < 0 || length > MAX_PARSED_BODY || body.isOneShot()) {
        return null;
      }
      Buffer buffer = new Buffer();
      body.writeTo(buffer);
      return MAPPER.readTree(buffer.inputStream());
    } catch (IOException | RuntimeException e) {
      return null; // not JSON, or not readable twice: the route's bucket, unmetered in tokens
    }
  }

  /** Characters of the prompt: every message's text content, and a system prompt. */
  static long promptChars(JsonNode body) {
    long chars = 0;
    JsonNode system = body.get("system");
    if (system != null) {
      chars += textChars(system);
    }
    JsonNode messages = body.get("messages");
    if (messages != null && messages.isArray()) {
      for (JsonNode m : messages) {
        JsonNode content = m.get("content");
        if (content != null) {
          chars += textChars(content);
        }
      }
    }
    return chars;
  }

  private static long textChars(JsonNode n) {
    if (n.isTextual()) {
      return n.asText().length();
    }
    long chars = 0;
    if (n.isArray()) {
      for (JsonNode part : n) {
        JsonNode text = part.get("text");
        if (text != null && text.isTextual()) {
          chars += text.asText().length();
        }
        // Anthropic's blocks: a tool result's content (text or blocks), a tool use's input
        JsonNode content = part.get("content");
        if (content != null && (content.isTextual() || content.isArray())) {
          chars += textChars(content);
        }
        JsonNode input = part.get("input");
        if (input != null && input.isObject()) {
          chars += input.toString().length();
        }
      }
    }
    return chars;
  }

  @Override
  public String toString() {
    return "GovernorGate{" + governor.policy() + '}';
  }
}
