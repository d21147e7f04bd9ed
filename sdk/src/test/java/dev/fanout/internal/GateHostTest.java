package dev.fanout.internal;

import static dev.fanout.testsupport.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One host's admission rule on HTTP/2, driven call by call: the calls that wait are admitted in the order they
 * came, exactly as many as the connections have free streams, and as many as the rest need at the stream limit
 * open the next connections at once, each on a lane of its own; a stream's call goes on its connection's lane.
 * The host's first connection waits for its SETTINGS and later ones
 * take the limit it announced, which the gate makes OkHttp keep too until it applies their own. The connections are stand-ins whose SETTINGS the test applies (or never does:
 * then the gate assumes {@link ConnectionGate#ASSUMED_STREAM_LIMIT}), and the SETTINGS wait runs on a clock the
 * test moves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class GateHostTest {
  private static final int LIMIT = ConnectionGate.ASSUMED_STREAM_LIMIT;
  private static final int WAITING = LIMIT + 50;

  private static final String KEY = "https://api.example.com:443";

  private final AtomicLong nanoTime = new AtomicLong();
  private GateHost host;
  /** The call limit the gate made OkHttp keep on each connection until OkHttp applies its SETTINGS. */
  private final Map<Connection, Integer> enforced = new ConcurrentHashMap<>();
  private final Map<Integer, GateTicket> admitted = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();

  @AfterEach
  void stopWaiting() {
    threads.forEach(Thread::interrupt);
  }

  @Test
  void waitingCallsGoInArrivalOrderUpToTheFreeStreamsAndOneOpensTheNextConnectionOnALaneOfItsOwn() throws Exception {
    host = new GateHost(KEY, c -> 0, enforced::put, c -> true, nanoTime::get); // no connection's SETTINGS are ever read: the assumed limit
    GateTicket scout = host.admit(chain());
    assertThat(scout.kind).isEqualTo(GateTicket.Kind.SCOUT);
    queue(WAITING);

    Connection first = http2Connection();
    host.connected(scout, first); // the protocol is known: the scout holds one of its streams
    assertThat(host.waiting()).as("the first connection's calls wait for its SETTINGS").isEqualTo(WAITING);
    nanoTime.addAndGet(ConnectionGate.SETTINGS_WAIT_NANOS); // they never come: the wait ends

    eventually(() -> admitted.size() == LIMIT);
    assertThat(admitted.keySet()).containsExactlyInAnyOrderElementsOf(range(0, LIMIT));
    for (int i = 0; i < LIMIT - 1; i++) {
      assertThat(admitted.get(i).kind).isEqualTo(GateTicket.Kind.STREAM);
      assertThat(admitted.get(i).lane).as("the first connection's calls go on the client's own address").isNull();
    }
    GateTicket opener = admitted.get(LIMIT - 1);
    assertThat(opener.kind).as("the 51 calls left fit on one more connection").isEqualTo(GateTicket.Kind.OPENER);
    assertThat(opener.lane).as("a lane of its own: OkHttp cannot merge it into the first").isNotNull();
    assertThat(host.waiting()).isEqualTo(WAITING - LIMIT);

    for (int i = 0; i < LIMIT - 1; i++) host.connected(admitted.get(i), first);
    assertThat(host.waiting()).as("the first connection is full; the rest wait for the second")
        .isEqualTo(WAITING - LIMIT);

    Connection second = http2Connection();
    host.connected(opener, second); // the second connection: the rest fit on it
    assertThat(enforced).as("OkHttp puts no more calls on it than the gate counts").containsEntry(second, LIMIT);

    eventually(() -> admitted.size() == WAITING);
    assertThat(host.waiting()).isZero();
    for (int i = LIMIT; i < WAITING; i++) {
      assertThat(admitted.get(i).kind).isEqualTo(GateTicket.Kind.STREAM);
      assertThat(admitted.get(i).lane).as("on the second connection's lane").isSameAs(opener.lane);
    }
  }

  @Test
  void asManyConnectionsAsTheWaitingCallsNeedOpenAtOnceEachOnALaneOfItsOwn() throws Exception {
    Map<Connection, Integer> applied = new ConcurrentHashMap<>();
    host = new GateHost(KEY, c -> applied.getOrDefault(c, 0), enforced::put, c -> true, nanoTime::get);
    int limit = 4;
    GateTicket scout = host.admit(chain());
    queue(4 * limit);
    Connection first = http2Connection();
    applied.put(first, limit);
    host.connected(scout, first);

    // three streams are left on the first connection; the other 13 calls need four more connections
    eventually(() -> admitted.size() == limit - 1 + 4);
    List<GateTicket> openers = new ArrayList<>();
    for (int i = limit - 1; i < limit - 1 + 4; i++) openers.add(admitted.get(i));
    assertThat(openers).allMatch(t -> t.kind == GateTicket.Kind.OPENER);
    assertThat(openers.stream().map(t -> t.lane).distinct().count()).as("four lanes").isEqualTo(4);
    assertThat(openers).allMatch(t -> t.lane != null);
    assertThat(host.waiting()).isEqualTo(4 * limit - (limit - 1) - 4);

    for (GateTicket o : openers) {
      Connection c = http2Connection();
      applied.put(c, limit);
      host.connected(o, c);
    }
    eventually(() -> admitted.size() == 4 * limit);
    for (int i = limit - 1 + 4; i < 4 * limit; i++) {
      GateTicket t = admitted.get(i);
      assertThat(t.kind).isEqualTo(GateTicket.Kind.STREAM);
      assertThat(openers.stream().map(o -> o.lane)).as("each on the lane of the connection it is to take")
          .contains(t.lane);
    }
  }

  @Test
  void anOpenerTakesTheLaneOfAConnectionThatIsGone() throws Exception {
    java.util.Set<Connection> gone = ConcurrentHashMap.newKeySet();
    host = new GateHost(KEY, c -> 2, enforced::put, c -> !gone.contains(c), nanoTime::get);
    GateTicket scout = host.admit(chain());
    Connection first = http2Connection();
    host.connected(scout, first);
    GateTicket stream = host.admit(chain());
    host.connected(stream, first); // the first connection's two streams are taken
    GateTicket opener = host.admit(chain());
    assertThat(opener.kind).isEqualTo(GateTicket.Kind.OPENER);
    Connection second = http2Connection();
    host.connected(opener, second);
    opener.release();

    gone.add(second); // closed by the server, its calls all done
    GateTicket again = host.admit(chain());

    assertThat(again.kind).isEqualTo(GateTicket.Kind.OPENER);
    assertThat(again.lane).as("lanes are reused, not made anew for every connection").isSameAs(opener.lane);
  }

  @Test
  void laterConnectionsTakeTheLimitTheFirstAnnouncedWithoutWaitingForTheirSettings() throws Exception {
    Map<Connection, Integer> applied = new ConcurrentHashMap<>(); // the SETTINGS OkHttp has applied
    host = new GateHost(KEY, c -> applied.getOrDefault(c, 0), enforced::put, c -> true, nanoTime::get); // the SETTINGS wait never ends
    int limit = 4;
    GateTicket scout = host.admit(chain());
    queue(2 * limit);
    Connection first = http2Connection();

    host.connected(scout, first);
    assertThat(host.waiting()).as("the first connection's calls wait for its SETTINGS").isEqualTo(2 * limit);
    applied.put(first, limit);
    eventually(() -> admitted.size() == limit - 1 + 2); // three streams, and two openers for the other five
    assertThat(enforced).as("read before OkHttp applies it").containsExactly(Map.entry(first, limit));
    for (int i = 0; i < limit - 1; i++) host.connected(admitted.get(i), first);
    assertThat(admitted.get(limit - 1).kind).isEqualTo(GateTicket.Kind.OPENER);
    assertThat(admitted.get(limit).kind).isEqualTo(GateTicket.Kind.OPENER);

    Connection second = http2Connection();
    host.connected(admitted.get(limit - 1), second); // its SETTINGS not applied yet
    assertThat(enforced).as("OkHttp, too, gives it no more calls than the first's limit until they are")
        .containsEntry(second, limit);

    assertThat(host.waiting()).as("admitted at once on the limit the first connection announced")
        .isEqualTo(2 * limit - (limit - 1) - 2 - (limit - 1));
    assertThat(host.settingsWaits()).isEqualTo(1);
  }

  @Test
  void aConnectionAGoawayClosedNoLongerLendsItsFreeStreams() throws Exception {
    Map<Connection, Integer> applied = new ConcurrentHashMap<>();
    java.util.Set<Connection> goneAway = ConcurrentHashMap.newKeySet();
    host = new GateHost(KEY, c -> applied.getOrDefault(c, 0), enforced::put, c -> !goneAway.contains(c), nanoTime::get);
    GateTicket scout = host.admit(chain());
    Connection first = http2Connection();
    applied.put(first, 4);
    host.connected(scout, first);

    GateTicket beforeGoaway = host.admit(chain());
    assertThat(beforeGoaway.kind).as("a free stream of the first connection").isEqualTo(GateTicket.Kind.STREAM);
    host.connected(beforeGoaway, first);

    goneAway.add(first); // its two free streams are gone with it: the server takes no new stream there
    GateTicket afterGoaway = host.admit(chain());
    assertThat(afterGoaway.kind).as("opens a new connection instead of being sent to a closing one")
        .isEqualTo(GateTicket.Kind.OPENER);
  }

  /** Starts {@code n} calls that wait in the host's queue, one after another, in that order. */
  private void queue(int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
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
      eventually(() -> host.waiting() == order + 1);
    }
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
}
