package dev.fanout.mock;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.Protocol;

/**
 * A received request is one HTTP request as a {@link MockBackend} read it off the wire, on either
 * engine: method, target, headers, body, protocol, where it came on (connection and exchange), and
 * when. Both engines build it from what they parsed; {@link MockBackend#takeRequest} returns it, and the
 * routes decide on it. Immutable; {@link #body()} returns a copy.
 *
 * <p>The body is kept up to {@code maxBodyBytes + 1} bytes (a larger one is answered 413 and cut there);
 * {@link #bodySize()} is the size the client sent as far as the server read it.
 */
public final class ReceivedRequest {
  private final long sequence;
  private final int connectionIndex;
  private final int exchangeIndex;
  private final String method;
  private final String target;
  private final HttpUrl url;
  private final Protocol protocol;
  private final Headers headers;
  private final byte[] body;
  private final long bodySize;
  private final Instant receivedAt;
  private final long receivedNanos;

  private ReceivedRequest(Builder b) {
    sequence = b.sequence;
    connectionIndex = b.connectionIndex;
    exchangeIndex = b.exchangeIndex;
    method = b.method;
    target = b.target;
    url = b.url;
    protocol = b.protocol;
    headers = b.headers;
    body = b.body;
    bodySize = b.bodySize < 0 ? body.length : b.bodySize;
    receivedAt = b.receivedAt;
    receivedNanos = b.receivedNanos;
  }

  /** A builder for a request received now; the engines use it, and tests that call routes directly. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The order in which the backend received this request among all its requests, from 0 (both engines,
   * all connections). Gaps mean requests that were dropped from the bounded log, never reordering.
   */
  public long sequence() {
    return sequence;
  }

  /** The connection it came on, in the backend's accept order from 0. */
  public int connectionIndex() {
    return connectionIndex;
  }

  /** Its place among the requests of its connection, from 0 (HTTP/2: among the connection's streams). */
  public int exchangeIndex() {
    return exchangeIndex;
  }

  /** The method, {@code GET} or {@code POST}, as sent. */
  public String method() {
    return method;
  }

  /** The request target as sent on the request line or in {@code :path}: {@code /users/7?x=1}. */
  public String target() {
    return target;
  }

  /** The URL: {@code http://} and the {@code Host} (or {@code :authority}) joined with the target. */
  public HttpUrl url() {
    return url;
  }

  /** The encoded path, {@code /users/7}. */
  public String path() {
    return url.encodedPath();
  }

  /** The encoded query without the {@code ?}, or null if the target had none. */
  public String query() {
    return url.encodedQuery();
  }

  /** The first decoded value of query parameter {@code name}, or null. */
  public String queryParameter(String name) {
    return url.queryParameter(name);
  }

  /** The decoded path segments: {@code [users, 7]}. */
  public List<String> pathSegments() {
    return url.pathSegments();
  }

  /** {@link Protocol#HTTP_1_1}, {@link Protocol#HTTP_1_0} or {@link Protocol#H2_PRIOR_KNOWLEDGE} (h2c). */
  public Protocol protocol() {
    return protocol;
  }

  /** The headers as received (HTTP/2 pseudo-headers not included). */
  public Headers headers() {
    return headers;
  }

  /** The last value of header {@code name} (case-insensitive), or null. */
  public String header(String name) {
    return headers.get(name);
  }

  /** A copy of the body bytes read (empty for none). */
  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8 (malformed bytes replaced). */
  public String bodyUtf8() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The body size the server read: at most one byte more than the backend's {@code maxBodyBytes}. */
  public long bodySize() {
    return bodySize;
  }

  /** The wall-clock time the request was read whole. */
  public Instant receivedAt() {
    return receivedAt;
  }

  /** {@link System#nanoTime()} when the request was read whole: for measuring gaps between requests. */
  public long receivedNanos() {
    return receivedNanos;
  }

  @Override
  public String toString() {
    return "ReceivedRequest{#" + sequence + " " + method + " " + target + " " + protocol + ", connection "
        + connectionIndex + "/" + exchangeIndex + ", " + bodySize + " body bytes}";
  }

  /** Builds a {@link ReceivedRequest}; {@code method} and {@code target} are required. */
  public static final class Builder {
    private long sequence;
    private int connectionIndex;
    private int exchangeIndex;
    private String method;
    private String target;
    private String host = "localhost";
    private HttpUrl url;
    private Protocol protocol = Protocol.HTTP_1_1;
    private Headers headers = Headers.of();
    private byte[] body = new byte[0];
    private long bodySize = -1;
    private Instant receivedAt;
    private long receivedNanos;
    private boolean receivedSet;

    private Builder() {}

    /** The backend-wide order of receipt. Defaults to 0. */
    public Builder sequence(long sequence) {
      this.sequence = Checks.nonNegative("sequence", sequence);
      return this;
    }

    /** Defaults to 0. */
    public Builder connectionIndex(int connectionIndex) {
      this.connectionIndex = Checks.nonNegative("connectionIndex", connectionIndex);
      return this;
    }

    /** Defaults to 0. */
    public Builder exchangeIndex(int exchangeIndex) {
      this.exchangeIndex = Checks.nonNegative("exchangeIndex", exchangeIndex);
      return this;
    }

    /** Required. */
    public Builder method(String method) {
      if (method == null || method.isEmpty()) throw new IllegalArgumentException("method is empty: '" + method + "'");
      this.method = method;
      return this;
    }

    /** The request target as sent, {@code /users/7?x=1}; required. */
    public Builder target(String target) {
      if (target == null) throw new IllegalArgumentException("target == null");
      this.target = target;
      return this;
    }

    /** The {@code Host} or {@code :authority} the URL is built with. Defaults to {@code localhost}. */
    public Builder host(String host) {
      this.host = host == null || host.isBlank() ? "localhost" : host;
      return this;
    }

    /** The URL, when the engine has parsed one; otherwise it is built from the host and target. Defaults to that. */
    public Builder url(HttpUrl url) {
      this.url = url;
      return this;
    }

    /** Defaults to {@link Protocol#HTTP_1_1}. */
    public Builder protocol(Protocol protocol) {
      if (protocol == null) throw new IllegalArgumentException("protocol == null");
      this.protocol = protocol;
      return this;
    }

    /** Defaults to none. */
    public Builder headers(Headers headers) {
      if (headers == null) throw new IllegalArgumentException("headers == null");
      this.headers = headers;
      return this;
    }

    /** The body bytes read (kept, not copied: the engines hand over their own array). Defaults to empty. */
    public Builder body(byte[] body) {
      this.body = body == null ? new byte[0] : body;
      return this;
    }

    /** The body size read, when more than {@code body}'s length was read. Defaults to {@code body.length}. */
    public Builder bodySize(long bodySize) {
      this.bodySize = Checks.nonNegative("bodySize", bodySize);
      return this;
    }

    /** When the request was read whole. Defaults to the time {@link #build()} is called. */
    public Builder received(Instant at, long nanoTime) {
      if (at == null) throw new IllegalArgumentException("receivedAt == null");
      this.receivedAt = at;
      this.receivedNanos = nanoTime;
      this.receivedSet = true;
      return this;
    }

    public ReceivedRequest build() {
      if (method == null) throw new IllegalStateException("method not set");
      if (target == null) throw new IllegalStateException("target not set");
      if (url == null) {
        HttpUrl parsed = HttpUrl.parse("http://" + host + (target.startsWith("/") ? target : "/" + target));
        if (parsed == null) parsed = HttpUrl.parse("http://localhost" + (target.startsWith("/") ? target : "/" + target));
        url = parsed != null ? parsed : HttpUrl.get("http://localhost/");
      }
      if (!receivedSet) {
        receivedAt = Instant.now();
        receivedNanos = System.nanoTime();
      }
      return new ReceivedRequest(this);
    }
  }
}
