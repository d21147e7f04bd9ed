package dev.fanout.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One host's admission rule on HTTP/2, driven call by call: the calls that wait are admitted in the order they
 * came, exactly as many as the connections have free streams, and one of them opens the next connection only
 * once every admitted call has its stream. The connections are stand-ins whose stream limit OkHttp's internals
 * cannot tell, so the gate waits out its SETTINGS wait and assumes {@link ConnectionGate#ASSUMED_STREAM_LIMIT}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class GateHostTest {
  private static final int LIMIT = ConnectionGate.ASSUMED_STREAM_LIMIT;
  private static final int WAITING = LIMIT + 50;

  private final GateHost host = new GateHost("https://api.example.com:443");
  private final Map<Integer, GateTicket> admitted = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();

  @AfterEach
  void stopWaiting() {
    threads.forEach(Thread::interrupt);
  }

  @Test
  void waitingCallsGoInArrivalOrderUpToTheFreeStreamsThenOneOpensTheNextConnection() throws Exception {
    GateTicket scout = host.admit(chain());
    assertThat(scout.kind).isEqualTo(GateTicket.Kind.SCOUT);
    for (int i = 0; i < WAITING; i++) {
      int order = i;
      Thread t = new Thread(() -> {
        try {
          admitted.put(order, host.admit(chain()));
        } catch (java.io.IOException interrupted) {
          // the test is over
        }
      }, "waiting-call-" + i);
      threads.add(t);
      t.start();
      awaitUntil(() -> host.waiting() == order + 1, "call " + order + " waiting");
    }

    Connection first = http2Connection();
    host.connected(scout, first); // the protocol is known: the scout holds one of its streams

    awaitUntil(() -> admitted.size() == LIMIT - 1, "the first connection's free streams taken");
    assertThat(admitted.keySet()).containsExactlyInAnyOrderElementsOf(range(0, LIMIT - 1));
    assertThat(admitted.values()).allMatch(t -> t.kind == GateTicket.Kind.STREAM);
    assertThat(host.waiting()).isEqualTo(WAITING - (LIMIT - 1));

    for (int i = 0; i < LIMIT - 2; i++) host.connected(admitted.get(i), first);
    assertThat(host.waiting()).as("no opener while an admitted call has no stream yet")
        .isEqualTo(WAITING - (LIMIT - 1));
    host.connected(admitted.get(LIMIT - 2), first);

    awaitUntil(() -> admitted.size() == LIMIT, "the opener admitted");
    assertThat(admitted.get(LIMIT - 1).kind).isEqualTo(GateTicket.Kind.OPENER);
    assertThat(host.waiting()).isEqualTo(WAITING - LIMIT);

    host.connected(admitted.get(LIMIT - 1), http2Connection()); // the second connection: the rest fit on it

    awaitUntil(() -> admitted.size() == WAITING, "every call admitted");
    assertThat(host.waiting()).isZero();
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> r = new ArrayList<>();
    for (int i = from; i < to; i++) r.add(i);
    return r;
  }

  private static Interceptor.Chain chain() {
    Call call = (Call) Proxy.newProxyInstance(Call.class.getClassLoader(), new Class<?>[] {Call.class},
        (proxy, method, args) -> method.getName().equals("isCanceled") ? false : null);
    return (Interceptor.Chain) Proxy.newProxyInstance(Interceptor.Chain.class.getClassLoader(),
        new Class<?>[] {Interceptor.Chain.class}, (proxy, method, args) -> method.getName().equals("call") ? call : null);
  }

  private static Connection http2Connection() {
    Socket socket = new Socket();
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "protocol" -> Protocol.HTTP_2;
          case "socket" -> socket;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "stand-in HTTP/2 connection";
          default -> null;
        });
  }

  private static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      TimeUnit.MILLISECONDS.sleep(1);
    }
  }
}
