package dev.fanout.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.FanoutClock;
import dev.fanout.RetryPolicy;
import dev.fanout.jobs.internal.LineParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * A small client of OpenAI's Files and Batch APIs, for {@link BatchJob}: upload a file with purpose
 * {@code batch}, create a batch with completion window {@code 24h}, read and cancel it, read a file's
 * content line by line. Calls that fail with a 408, 409, 429, a 5xx or an I/O error are tried again (an
 * {@code x-should-retry: true} or {@code false} header decides instead when the server sends one, as in
 * openai-java), up to {@link #DEFAULT_MAX_ATTEMPTS} times in all, with a doubling pause from 1 s; a wait the
 * server names in {@code retry-after-ms} or {@code retry-after} (seconds, or an HTTP date measured against the
 * response's {@code Date}) is taken instead when it is at most {@link #MAX_SERVER_WAIT}.
 *
 * <p>Every wait, the pauses between attempts and {@link BatchJob#await}'s polls, is a timer on this client's
 * {@link Builder#clock(FanoutClock) clock}; a test passes a {@link dev.fanout.testing.FakeClock} and proves the
 * waits without waiting.
 *
 * <p>This client owns its OkHttp client's connections only if it built the OkHttp client itself; it closes
 * them in {@link #close()}. The API key is sent as a bearer token and never appears in a message.
 */
public final class OpenAiBatches implements AutoCloseable {
  /** Where the calls go unless {@link Builder#baseUrl(String)} says otherwise. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com";
  /** Attempts per call, the first included. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  /** The longest server-named wait that is honoured; a longer one gets the doubling pause instead. */
  public static final Duration MAX_SERVER_WAIT = Duration.ofMinutes(1);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final MediaType JSONL = MediaType.get("application/jsonl");
  private static final int MAX_QUOTED_BODY = 500;
  private static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

  private final HttpUrl baseUrl;
  private final String authorization;
  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final String apiKey;
  private final FanoutClock clock;

  private OpenAiBatches(Builder b) {
    this.baseUrl = b.baseUrl;
    this.authorization = b.apiKey == null ? null : "Bearer " + b.apiKey;
    this.apiKey = b.apiKey;
    this.clock = b.clock;
    this.ownsHttp = b.http == null;
    this.http = b.http != null ? b.http : new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(5)).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Uploads {@code file} as {@code filename} with purpose {@code batch}; returns the File object. */
  public JsonNode uploadBatchFile(Path file, String filename) {
    RequestBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
        .addFormDataPart("purpose", "batch")
        .addFormDataPart("file", filename, RequestBody.create(file.toFile(), JSONL))
        .build();
    return call(request("files").post(body).build());
  }

  /** Creates a batch of {@code inputFileId} for {@code endpoint}, completion window {@code 24h}. */
  public JsonNode createBatch(String inputFileId, String endpoint, ObjectNode metadata) {
    ObjectNode body = LineParser.MAPPER.createObjectNode();
    body.put("input_file_id", inputFileId);
    body.put("endpoint", endpoint);
    body.put("completion_window", "24h");
    if (metadata != null) {
      body.set("metadata", metadata);
    }
    return call(request("batches").post(RequestBody.create(body.toString(), JSON)).build());
  }

  /** Returns the Batch object {@code batchId}. */
  public JsonNode batch(String batchId) {
    return call(request("batches/" + batchId).get().build());
  }

  /** Cancels batch {@code batchId}; returns the Batch object ({@code cancelling}). */
  public JsonNode cancelBatch(String batchId) {
    return call(request("batches/" + batchId + "/cancel").post(RequestBody.create(new byte[0], JSON)).build());
  }

  /** Reads file {@code fileId}'s content, handing each line to {@code lines} as it arrives. */
  public void readFileLines(String fileId, Consumer<String> lines) {
    readNumberedLines(fileId, (number, line) -> lines.accept(line));
  }

  /**
   * Reads file {@code fileId}'s content, handing each line and its number (from 1) to {@code lines}; a read
   * tried again after an I/O error starts again from line 1.
   */
  void readNumberedLines(String fileId, NumberedLines lines) {
    attempt(request("files/" + fileId + "/content").get().build(), response -> {
      BufferedSource source = response.body().source();
      long number = 0;
      String line;
      while ((line = source.readUtf8Line()) != null) {
        lines.accept(++number, line);
      }
      return null;
    });
  }

  /** Takes the lines of a file with their numbers. */
  interface NumberedLines {
    void accept(long number, String line);
  }

  private Request.Builder request(String path) {
    HttpUrl url = baseUrl.newBuilder().addPathSegments(baseHasV1() ? path : "v1/" + path).build();
    Request.Builder b = new Request.Builder().url(url);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  private boolean baseHasV1() {
    var segments = baseUrl.pathSegments();
    for (int i = segments.size() - 1; i >= 0; i--) {
      if (!segments.get(i).isEmpty()) {
        return segments.get(i).equals("v1");
      }
    }
    return false;
  }

  private JsonNode call(Request request) {
    return attempt(request, response -> LineParser.MAPPER.readTree(response.body().byteStream()));
  }

  private interface Reader<T> {
    T read(Response response) throws IOException;
  }

  private <T> T attempt(Request request, Reader<T> reader) {
    Duration pause = FIRST_PAUSE;
    for (int attempt = 1; ; attempt++) {
      try (Response response = http.newCall(request).execute()) {
        if (response.isSuccessful()) {
          return reader.read(response);
        }
        int code = response.code();
        String body = excerpt(response.body());
        boolean retry = RetryPolicy.defaults().retriesResponse(code, response.header("x-should-retry"))
            && attempt < DEFAULT_MAX_ATTEMPTS;
        if (!retry) {
          String requestId = response.header("x-request-id");
          throw new BatchApiException(request.method() + " " + request.url().encodedPath() + ": HTTP " + code
              + (requestId == null ? "" : " (request " + requestId + ")") + " " + body, code);
        }
        pause(serverWait(response).orElse(pause));
      } catch (IOException e) {
        if (attempt >= DEFAULT_MAX_ATTEMPTS) {
          throw new UncheckedIOException(request.method() + " " + request.url().encodedPath() + " failed after "
              + attempt + " attempts: " + redact(String.valueOf(e.getMessage())), e);
        }
        pause(pause);
      }
      pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) < 0 ? pause.multipliedBy(2) : MAX_PAUSE;
    }
  }

  /**
   * The wait the response names, read as the SDK's client reads it: {@code retry-after-ms}, else
   * {@code retry-after} in seconds or as an HTTP date (zero for a date past); empty when there is none, it is
   * malformed, or it is over {@link #MAX_SERVER_WAIT}.
   */
  private Optional<Duration> serverWait(Response response) {
    return RetryPolicy.retryAfter(response.headers(), clock).filter(d -> d.compareTo(MAX_SERVER_WAIT) <= 0);
  }

  /** Takes the API key out of what the server sent back, in case it echoes it. */
  private String redact(String text) {
    return apiKey == null || apiKey.isEmpty() ? text : text.replace(apiKey, "██");
  }

  private void pause(Duration wait) {
    try {
      sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatchApiException("interrupted while waiting to try again", 0);
    }
  }

  /**
   * Blocks for {@code wait} on this client's clock. Interrupted, it drops the timer and throws.
   *
   * @throws java.util.concurrent.RejectedExecutionException if the clock no longer runs timers
   */
  void sleep(Duration wait) throws InterruptedException {
    CompletableFuture<Void> done = clock.sleep(wait);
    try {
      done.get();
    } catch (InterruptedException e) {
      done.cancel(false);
      throw e;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a clock's sleep completes with null only: " + e.getCause(), e.getCause());
    }
  }

  /**
   * The start of an error body on one line, the API key taken out before it is cut (so no prefix of the key
   * is left); a body shorter than the excerpt, with or without a {@code Content-Length}, is read whole.
   */
  private String excerpt(ResponseBody body) throws IOException {
    if (body == null) {
      return "";
    }
    long limit = MAX_QUOTED_BODY + (apiKey == null ? 0 : apiKey.length());
    BufferedSource source = body.source();
    source.request(limit);
    String text = source.getBuffer().readString(Math.min(limit, source.getBuffer().size()), StandardCharsets.UTF_8);
    String line = redact(text.replaceAll("\\s+", " "));
    return line.length() <= MAX_QUOTED_BODY ? line : line.substring(0, MAX_QUOTED_BODY) + "...";
  }

  @Override
  public void close() {
    if (ownsHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  /**
   * A Files or Batch API call that failed: the server refused it (after the retries, for a 429 or 5xx), or a
   * file it served is not in the Batch API's output format (the message names the file and the line).
   */
  public static final class BatchApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int statusCode;

    BatchApiException(String message, int statusCode) {
      super(message);
      this.statusCode = statusCode;
    }

    BatchApiException(String message, Throwable cause) {
      super(message, cause);
      this.statusCode = 0;
    }

    /** The HTTP status, or 0 if there was none. */
    public int statusCode() {
      return statusCode;
    }
  }

  /** Builds an {@link OpenAiBatches}; each setter names a bad value. */
  public static final class Builder {
    private HttpUrl baseUrl = HttpUrl.get(DEFAULT_BASE_URL);
    private String apiKey;
    private OkHttpClient http;
    private FanoutClock clock = FanoutClock.system();

    private Builder() {}

    /** Sets the API's base URL, with or without {@code /v1}. Defaults to https://api.openai.com. */
    public Builder baseUrl(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl == null");
      HttpUrl url = HttpUrl.parse(baseUrl);
      if (url == null) {
        throw new IllegalArgumentException("baseUrl is not an http(s) URL: " + baseUrl);
      }
      this.baseUrl = url;
      return this;
    }

    /** Sets the API key, sent as a bearer token. Defaults to none. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** Sets the OkHttp client to call with (the caller keeps owning it). Defaults to one of its own. */
    public Builder okHttpClient(OkHttpClient http) {
      this.http = Objects.requireNonNull(http, "http == null");
      return this;
    }

    /**
     * Sets the clock every wait is a timer on: the pause before a call is tried again, and the time between
     * {@link BatchJob#await} polls. A {@link dev.fanout.testing.FakeClock} makes them pass in fake time. Defaults
     * to {@link FanoutClock#system()}.
     */
    public Builder clock(FanoutClock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    public OpenAiBatches build() {
      return new OpenAiBatches(this);
    }
  }
}
