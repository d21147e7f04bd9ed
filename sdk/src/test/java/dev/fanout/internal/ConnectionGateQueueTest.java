package dev.fanout.internal;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection gate's queue on a cold host: the calls behind the first (the scout) wait in the gate, fail
 * with the scout's failure instead of each paying the same failed connect, and leave the queue when cancelled.
 * The "server" is a socket that takes TLS connections and holds them unanswered until the test closes them, so
 * the scout is stuck in its handshake for as long as the test needs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ConnectionGateQueueTest {
  private static final int CALLS = 20;

  private final BlockingQueue<Socket> held = new LinkedBlockingQueue<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private ServerSocket server;
  private ConnectionGate gate;
  private OkHttpClient client;
  private HttpUrl url;

  @BeforeEach
  void start() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          Socket socket = server.accept();
          accepted.incrementAndGet();
          held.add(socket);
        }
      } catch (IOException closed) {
        // the test is over
      }
    }, "held-tls-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    gate = new ConnectionGate(false);
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(CALLS);
    dispatcher.setMaxRequestsPerHost(CALLS);
    client = new OkHttpClient.Builder().dispatcher(dispatcher).retryOnConnectionFailure(false)
        .addInterceptor(gate.application()).addNetworkInterceptor(gate.network()).build();
    url = new HttpUrl.Builder().scheme("https").host(server.getInetAddress().getHostAddress())
        .port(server.getLocalPort()).addPathSegment("users").build();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    for (Socket s : held) s.close();
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdown();
  }

  @Test
  void callsBehindAFailedScoutFailWithItsFailureWithoutConnecting() throws Exception {
    List<CompletableFuture<Response>> calls = new ArrayList<>();
    for (int i = 0; i < CALLS; i++) calls.add(enqueue(client.newCall(new Request.Builder().url(url).build())));
    awaitWaiting(CALLS - 1);

    held.take().close(); // the scout's handshake fails

    int failedForScout = 0;
    for (CompletableFuture<Response> call : calls) {
      Throwable failure = failureOf(call);
      if (String.valueOf(failure.getMessage()).contains("failed for an earlier call of this fan-out")) {
        assertThat(failure.getMessage()).contains(url.host() + ":" + url.port());
        failedForScout++;
      }
    }
    assertThat(failedForScout).isEqualTo(CALLS - 1);
    assertThat(accepted.get()).isEqualTo(1);
    assertThat(gate.waiting(url)).isZero();
  }

  @Test
  void aCancelledWaitingCallLeavesTheQueueWhileTheScoutStillConnects() throws Exception {
    enqueue(client.newCall(new Request.Builder().url(url).build())); // the scout, held in its handshake
    awaitAccepted(1);
    Call waiting = client.newCall(new Request.Builder().url(url).build());
    CompletableFuture<Response> cancelled = enqueue(waiting);
    CompletableFuture<Response> other = enqueue(client.newCall(new Request.Builder().url(url).build()));
    awaitWaiting(2);

    waiting.cancel();

    assertThat(failureOf(cancelled)).hasMessageContaining("Canceled");
    assertThat(gate.waiting(url)).isEqualTo(1);
    assertThat(other).isNotDone();
    assertThat(accepted.get()).isEqualTo(1);
  }

  private static CompletableFuture<Response> enqueue(Call call) {
    CompletableFuture<Response> result = new CompletableFuture<>();
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        result.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call c, Response response) {
        result.complete(response);
      }
    });
    return result;
  }

  private static Throwable failureOf(CompletableFuture<Response> call) throws Exception {
    try {
      call.get(30, TimeUnit.SECONDS).close();
      throw new AssertionError("the call succeeded");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private void awaitWaiting(int n) throws InterruptedException {
    eventually(() -> gate.waiting(url) == n);
  }

  private void awaitAccepted(int n) throws InterruptedException {
    eventually(() -> accepted.get() == n);
  }
}
