package dev.fanout.internal;

import static dev.fanout.testsupport.Eventually.eventually;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A raw OkHttp client over h2c with prior knowledge, without OkHttp's own retry (a retry would ask the pool for
 * a connection, which changes what the tests look at), that remembers the connection of its first request:
 * for tests of what the SDK reads from OkHttp's HTTP/2 connections.
 */
final class H2cProbe implements AutoCloseable {
  private final AtomicReference<Connection> first = new AtomicReference<>();
  private final OkHttpClient client;
  private final String baseUrl;

  /** {@code extra}: network interceptors after the one that remembers the connection. */
  H2cProbe(String baseUrl, Interceptor... extra) {
    this.baseUrl = baseUrl;
    OkHttpClient.Builder b = new OkHttpClient.Builder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
        .retryOnConnectionFailure(false)
        .addNetworkInterceptor(chain -> {
          first.compareAndSet(null, chain.connection());
          return chain.proceed(chain.request());
        });
    for (Interceptor i : extra) b.addNetworkInterceptor(i);
    client = b.build();
  }

  /** Starts {@code GET path} and leaves its response to {@code callback}. */
  Call start(String path, Callback callback) {
    Call call = client.newCall(new Request.Builder().url(baseUrl + path).build());
    call.enqueue(callback);
    return call;
  }

  /** Starts {@code GET path}, closing its response, if any, unread. */
  Call start(String path) {
    return start(path, new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {}

      @Override
      public void onResponse(Call call, Response response) {
        response.close();
      }
    });
  }

  /** Waits until the first request has its connection, and returns it. */
  Connection firstConnection() throws InterruptedException {
    eventually(() -> first.get() != null);
    return first.get();
  }

  @Override
  public void close() {
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
