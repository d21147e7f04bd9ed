package dev.fanout.internal;

import dev.fanout.FanoutClock;
import dev.fanout.WireLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each request and response on the wire at INFO on {@code dev.fanout.wire} ({@link WireLog}): a network
 * interceptor, so it shows what was sent (the key's header included, redacted) on which protocol. Headers go
 * through {@link Redaction#headers}, bodies through the request's secrets and are cut to {@link #MAX_BODY}.
 */
final class WireLogger implements Interceptor {
  static final Logger WIRE = LoggerFactory.getLogger("dev.fanout.wire");
  /** The most body characters logged. */
  static final int MAX_BODY = 4096;

  private final WireLog level;
  private final FanoutClock clock;

  /** Logs at {@code level}, timing each exchange on {@code clock}, the client's. */
  public WireLogger(WireLog level, FanoutClock clock) {
    this.level = level;
    this.clock = clock;
  }

  @Override
  public Response intercept(Chain chain) throws IOException {
    Request request = chain.request();
    if (level == WireLog.NONE || !WIRE.isInfoEnabled()) {
      return chain.proceed(request);
    }
    Redaction.Secrets secrets = Redaction.Secrets.of(request);
    String protocol = chain.connection() == null ? "" : " " + chain.connection().protocol();
    StringBuilder out = new StringBuilder("--> ").append(request.method()).append(' ')
        .append(Redaction.url(request)).append(protocol).append(' ')
        .append(Redaction.headers(request.headers(), secrets));
    if (level == WireLog.BODY && request.body() != null) {
      out.append('\n').append(requestBody(request.body(), secrets));
    }
    WIRE.info(out.toString());
    long t0 = clock.nanoTime();
    Response response;
    try {
      response = chain.proceed(request);
    } catch (IOException e) {
      WIRE.info("<-- failed {} {} after {} ms: {}", request.method(), Redaction.pathAndQuery(request),
          TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - t0), secrets.redact(String.valueOf(e)));
      throw e;
    }
    StringBuilder in = new StringBuilder("<-- ").append(response.code()).append(' ')
        .append(request.method()).append(' ').append(Redaction.pathAndQuery(request)).append(" (")
        .append(TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - t0)).append(" ms) ")
        .append(Redaction.headers(response.headers(), secrets));
    if (level == WireLog.BODY) {
      MediaType type = response.body().contentType();
      if (type != null && "event-stream".equals(type.subtype())) {
        in.append("\n(an event stream: not read here)");
      } else if (isText(type)) {
        in.append('\n').append(secrets.excerpt(response.peekBody(MAX_BODY + 1).string(), MAX_BODY));
      } else if (response.body().contentLength() != 0) {
        in.append("\n(").append(type == null ? "untyped" : type.toString()).append(" body not shown)");
      }
    }
    WIRE.info(in.toString());
    return response;
  }

  private static String requestBody(RequestBody body, Redaction.Secrets secrets) throws IOException {
    if (body.isOneShot() || body.isDuplex()) {
      return "(a one-shot body, not read here)";
    }
    if (!isText(body.contentType())) {
      return "(" + body.contentLength() + "-byte " + body.contentType() + " body not shown)";
    }
    Buffer buffer = new Buffer();
    body.writeTo(buffer);
    long size = buffer.size();
    String text = buffer.readString(Math.min(size, (long) MAX_BODY * 2), StandardCharsets.UTF_8);
    return secrets.excerpt(text, MAX_BODY);
  }

  private static boolean isText(MediaType type) {
    if (type == null) return false;
    String t = type.type();
    String s = type.subtype();
    return t.equals("text") || s.equals("json") || s.endsWith("+json") || s.equals("x-www-form-urlencoded");
  }
}
