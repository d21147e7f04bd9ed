package dev.fanout.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Test helpers: an OkHttp client sized for fan-out, and JSON calls. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  static final MediaType JSON_TYPE = MediaType.get("application/json");

  private Http() {}

  static OkHttpClient client(int maxConcurrent) {
    Dispatcher d = new Dispatcher();
    d.setMaxRequests(maxConcurrent);
    d.setMaxRequestsPerHost(maxConcurrent);
    return new OkHttpClient.Builder()
        .dispatcher(d)
        .connectionPool(new ConnectionPool(maxConcurrent, 1, TimeUnit.MINUTES))
        .retryOnConnectionFailure(false)
        .callTimeout(Duration.ofSeconds(20))
        .build();
  }

  /**
   * A client that waits for responses as long as it takes (no read or call timeout): for tests that hold
   * responses until the backend closes, so that a busy machine's slow connects never make the first
   * calls give up before the last ones arrive.
   */
  static OkHttpClient patientClient(int maxConcurrent, boolean h2c) {
    OkHttpClient.Builder b = client(maxConcurrent).newBuilder()
        .readTimeout(Duration.ZERO).callTimeout(Duration.ZERO).connectTimeout(Duration.ofSeconds(60));
    if (h2c) b.protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
    return b.build();
  }

  static OkHttpClient h2cClient(int maxConcurrent) {
    return client(maxConcurrent).newBuilder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
  }

  static void shutdown(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /** A response read fully: status, headers of interest, body text. */
  record Result(int code, String contentType, String body, okhttp3.Headers headers) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  static Result get(OkHttpClient client, String url) throws IOException {
    return execute(client, new Request.Builder().url(url).build());
  }

  static Result post(OkHttpClient client, String url, String json) throws IOException {
    return execute(client, new Request.Builder().url(url).post(RequestBody.create(json, JSON_TYPE)).build());
  }

  static Result execute(OkHttpClient client, Request request) throws IOException {
    try (Response r = client.newCall(request).execute()) {
      return new Result(r.code(), r.header("Content-Type"), r.body().string(), r.headers());
    }
  }
}
