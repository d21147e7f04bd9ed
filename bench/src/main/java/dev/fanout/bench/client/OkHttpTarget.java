package dev.fanout.bench.client;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * OkHttp, every call {@code enqueue}d. Stock ({@link #OkHttpTarget(String)}): the default {@code Dispatcher}
 * ({@code maxRequests} 64, {@code maxRequestsPerHost} 5), the trap a user falls into, since a fan-out to one
 * host runs five at a time. {@link #sized}: the dispatcher and the idle pool sized to N, raw OkHttp at its
 * best, the floor Fanout's call path is measured against; {@link #sizedVirtual}: the same on virtual threads.
 */
final class OkHttpTarget implements HttpTarget {
  private final OkHttpClient client;
  private final String baseUrl;

  OkHttpTarget(String baseUrl) {
    this(baseUrl, new OkHttpClient());
  }

  private OkHttpTarget(String baseUrl, OkHttpClient client) {
    this.baseUrl = baseUrl;
    this.client = client;
  }

  /** OkHttp whose dispatcher runs {@code n} calls at once (per host too) and whose pool keeps {@code n} idle connections. */
  static OkHttpTarget sized(String baseUrl, int n) {
    return sized(baseUrl, n, new okhttp3.Dispatcher());
  }

  /**
   * {@link #sized} with a dispatcher that runs each call on a new virtual thread.
   *
   * @throws IllegalStateException before Java 21
   */
  static OkHttpTarget sizedVirtual(String baseUrl, int n) {
    return sized(baseUrl, n, new okhttp3.Dispatcher(virtualThreadPerTask()));
  }

  private static OkHttpTarget sized(String baseUrl, int n, okhttp3.Dispatcher dispatcher) {
    dispatcher.setMaxRequests(n);
    dispatcher.setMaxRequestsPerHost(n);
    return new OkHttpTarget(baseUrl, new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectionPool(new okhttp3.ConnectionPool(n, 5, java.util.concurrent.TimeUnit.MINUTES))
        .build());
  }

  @Override
  public CompletableFuture<Long> fetchUser(long id) {
    Call call = client.newCall(new Request.Builder().url(baseUrl + "/users/" + id).build());
    CompletableFuture<Long> future = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        call.cancel();
        return super.cancel(mayInterruptIfRunning);
      }
    };
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        future.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call c, Response response) {
        try (ResponseBody body = response.body()) {
          if (response.code() != 200) throw new IOException("HTTP " + response.code() + " for user " + id);
          future.complete(Bodies.userId(body.bytes()));
        } catch (IOException | RuntimeException e) {
          future.completeExceptionally(e);
        }
      }
    });
    return future;
  }

  /** {@code Executors.newVirtualThreadPerTaskExecutor()}, called by reflection: this module is built for Java 17. */
  private static ExecutorService virtualThreadPerTask() {
    try {
      return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("okhttp-vt needs Java 21+ (virtual threads); running " + Runtime.version(), e);
    }
  }

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
