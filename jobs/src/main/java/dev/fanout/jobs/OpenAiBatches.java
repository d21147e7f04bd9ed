package dev.fanout.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.jobs.internal.LineParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
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
 * content line by line. Calls that fail with a 429, a 5xx or an I/O error are tried again, up to
 * {@link #DEFAULT_MAX_ATTEMPTS} times in all, with a doubling pause from 1 s (or the {@code retry-after} the
 * server names).
 *
 * <p>This client owns its OkHttp client's connections only if it built the OkHttp client itself; it closes
 * them in {@link #close()}. The API key is sent as a bearer token and never appears in a message.
 */
public final class OpenAiBatches implements AutoCloseable {
  /** Where the calls go unless {@link Builder#baseUrl(String)} says otherwise. */
  public static final String DEFAULT_BASE_URL = "https://api.openai.com";
  /** Attempts per call, the first included. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  private static final MediaType JSON = MediaType.get("application/json");
  private static final MediaType JSONL = MediaType.get("application/jsonl");
  private static final int MAX_QUOTED_BODY = 500;

  private final HttpUrl baseUrl;
  private final String authorization;
  private final OkHttpClient http;
  private final boolean ownsHttp;

  private OpenAiBatches(Builder b) {
    this.baseUrl = b.baseUrl;
    this.authorization = b.apiKey == null ? null : "Bearer " + b.apiKey;
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
    attempt(request("files/" + fileId + "/content").get().build(), response -> {
      BufferedSource source = response.body().source();
      String line;
      while ((line = source.readUtf8Line()) != null) {
        lines.accept(line);
      }
      return null;
    });
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
    long pauseMillis = 1000;
    for (int attempt = 1; ; attempt++) {
      try (Response response = http.newCall(request).execute()) {
        if (response.isSuccessful()) {
          return reader.read(response);
        }
        int code = response.code();
        String body = excerpt(response.body());
        boolean retry = (code == 429 || code >= 500) && attempt < DEFAULT_MAX_ATTEMPTS;
        if (!retry) {
          throw new BatchApiException(request.method() + " " + request.url().encodedPath() + ": HTTP " + code
              + " " + body, code);
        }
        String after = response.header("retry-after");
        long wait = pauseMillis;
        if (after != null) {
          try {
            wait = Math.max(0, (long) (Double.parseDouble(after) * 1000));
          } catch (NumberFormatException ignored) {
            // an HTTP date: keep the doubling pause
          }
        }
        pause(wait);
      } catch (IOException e) {
        if (attempt >= DEFAULT_MAX_ATTEMPTS) {
          throw new UncheckedIOException(request.method() + " " + request.url().encodedPath() + " failed after "
              + attempt + " attempts: " + e.getMessage(), e);
        }
        pause(pauseMillis);
      }
      pauseMillis = Math.min(pauseMillis * 2, 30_000);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatchApiException("interrupted while waiting to try again", 0);
    }
  }

  private static String excerpt(ResponseBody body) throws IOException {
    String text = body == null ? "" : new String(body.source().readByteArray(Math.min(MAX_QUOTED_BODY,
        Math.max(0, body.contentLength() < 0 ? MAX_QUOTED_BODY : body.contentLength()))), StandardCharsets.UTF_8);
    return text.replaceAll("\\s+", " ");
  }

  @Override
  public void close() {
    if (ownsHttp) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  /** A Files or Batch API call the server refused (after the retries, for a 429 or 5xx). */
  public static final class BatchApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int statusCode;

    BatchApiException(String message, int statusCode) {
      super(message);
      this.statusCode = statusCode;
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

    public OpenAiBatches build() {
      return new OpenAiBatches(this);
    }
  }
}
