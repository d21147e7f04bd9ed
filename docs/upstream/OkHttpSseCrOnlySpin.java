// Minimal reproduction for OkHttp (not yet filed upstream; see docs/reliability.md).
//
// okhttp-sse 5.5.1: an event stream whose lines end with a lone CR ("\r"), which the SSE format allows
// (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream), makes
// ServerSentEventReader loop without consuming input after the first event: the reading thread stays
// RUNNABLE at ~100% of a core until the server closes the connection, even after EventSource.cancel().
//
// Run with okhttp 5.5.1, okhttp-sse 5.5.1 and mockwebserver3 5.5.1 on the classpath:
//   java -cp <classpath> OkHttpSseCrOnlySpin.java
// Expected: "onEvent a", "onEvent b", "onClosed", exit 0. Observed: "onEvent a", then a busy thread whose
// stack is in ServerSentEventReader (printed after 5 s), and no further event.

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

public final class OkHttpSseCrOnlySpin {
  public static void main(String[] args) throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder()
          .setHeader("Content-Type", "text/event-stream")
          .body("data: a\r\rdata: b\r\r")
          .bodyDelay(0, TimeUnit.MILLISECONDS)
          .build());
      server.start();
      OkHttpClient client = new OkHttpClient();
      CountDownLatch closed = new CountDownLatch(1);
      EventSource source = EventSources.createFactory(client).newEventSource(
          new Request.Builder().url(server.url("/")).build(), new EventSourceListener() {
            @Override public void onEvent(EventSource s, String id, String type, String data) {
              System.out.println("onEvent " + data);
            }
            @Override public void onClosed(EventSource s) {
              System.out.println("onClosed");
              closed.countDown();
            }
            @Override public void onFailure(EventSource s, Throwable t, Response response) {
              System.out.println("onFailure " + t);
              closed.countDown();
            }
          });
      if (!closed.await(5, TimeUnit.SECONDS)) {
        source.cancel();
        Thread.sleep(1000);
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
          for (StackTraceElement f : e.getValue()) {
            if (f.getClassName().contains("ServerSentEventReader") && e.getKey().getState() == Thread.State.RUNNABLE) {
              System.out.println("still RUNNABLE after cancel: " + e.getKey().getName() + " at " + f);
              System.exit(1);
            }
          }
        }
      }
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }
}
