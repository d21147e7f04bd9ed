package dev.fanout.internal.telemetry;

import java.util.Objects;
import java.util.Optional;
import okhttp3.HttpUrl;

/**
 * What telemetry knows about a logical call when it starts: its HTTP method and URL, and for a GenAI call
 * (chat, embeddings) what was asked of the model.
 */
public final class CallInfo {
  private final String method;
  private final HttpUrl url;
  private final GenAiRequest genAi;

  private CallInfo(String method, HttpUrl url, GenAiRequest genAi) {
    this.method = Objects.requireNonNull(method, "method == null");
    this.url = Objects.requireNonNull(url, "url == null");
    this.genAi = genAi;
  }

  /** A plain HTTP call. */
  public static CallInfo http(String method, HttpUrl url) {
    return new CallInfo(method, url, null);
  }

  /** A GenAI call (chat completion, embeddings) sent as {@code method url}. */
  public static CallInfo genAi(String method, HttpUrl url, GenAiRequest request) {
    return new CallInfo(method, url, Objects.requireNonNull(request, "request == null"));
  }

  /** Returns the HTTP method as sent (methods are case-sensitive: {@code get} is not {@code GET}). */
  public String method() {
    return method;
  }

  /** Returns the full URL (telemetry redacts it before export). */
  public HttpUrl url() {
    return url;
  }

  /** Returns what was asked of the model, for a GenAI call. */
  public Optional<GenAiRequest> genAi() {
    return Optional.ofNullable(genAi);
  }

  @Override
  public String toString() {
    return "CallInfo{" + method + " " + url.encodedPath() + (genAi == null ? "" : ", " + genAi) + '}';
  }
}
