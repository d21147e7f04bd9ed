package dev.fanout.bench.client;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Stock OkHttp with its default {@code Dispatcher} ({@code maxRequests} 64, {@code maxRequestsPerHost} 5),
 * every call {@code enqueue}d: the trap a user falls into, since a fan-out to one host runs five at a time.
 */
final class OkHttpTarget implements HttpTarget {
  private final OkHttpClient client = new OkHttpClient();
  private final String baseUrl;

  OkHttpTarget(String baseUrl) {
    this.baseUrl = baseUrl;
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

  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
