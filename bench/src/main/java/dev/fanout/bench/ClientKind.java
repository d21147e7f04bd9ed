package dev.fanout.bench;

import dev.fanout.common.Labels;

/** A client the benchmark compares, as named on the command line. */
public enum ClientKind {
  /** Fanout's client with its defaults (HTTP/1.1). */
  FANOUT("fanout", "Fanout, defaults", true),
  /** Fanout's client on HTTP/2 cleartext (prior knowledge), {@code maxInFlight} = N, virtual threads where available. */
  FANOUT_H2C("fanout-h2c", "Fanout, h2c, maxInFlight=N, virtual threads", true),
  /**
   * The default path: Fanout's client with its defaults but {@code maxInFlight} = N, so HTTP/1.1 (a
   * connection per call in flight), no priming; measured on Java 17, the SDK's baseline.
   */
  FANOUT_N("fanout-n", "Fanout, HTTP/1.1, maxInFlight=N, defaults", true),
  /** Stock OkHttp with its default {@code Dispatcher} (five calls per host at a time). */
  OKHTTP("okhttp", "OkHttp, default Dispatcher", true),
  /**
   * Raw OkHttp, its {@code Dispatcher} ({@code maxRequests}, {@code maxRequestsPerHost}) and idle pool sized
   * to N, one {@code enqueue} per call: what Fanout adds its call path to, so the floor its overhead is
   * measured against.
   */
  OKHTTP_N("okhttp-n", "OkHttp, Dispatcher sized to N", true),
  /**
   * {@link #OKHTTP_N} on a virtual-thread dispatcher (Java 21+), as Fanout's defaults run there: the floor
   * beside Fanout when both hand each call to a virtual thread.
   */
  OKHTTP_VT("okhttp-vt", "OkHttp, Dispatcher sized to N, virtual threads", true),
  /** The JDK's {@code java.net.http.HttpClient.sendAsync} with its defaults. */
  JDK("jdk", "JDK HttpClient.sendAsync", true),
  /** Python {@code asyncio.gather} over aiohttp (a separate Python process). */
  AIOHTTP("aiohttp", "Python asyncio + aiohttp", false);

  private final String id;
  private final String title;
  private final boolean jvm;

  ClientKind(String id, String title, boolean jvm) {
    this.id = id;
    this.title = title;
    this.jvm = jvm;
  }

  /** The command-line name, for example {@code fanout-h2c}. */
  public String id() {
    return id;
  }

  /** A human title for tables and plots. */
  public String title() {
    return title;
  }

  /** Whether the client runs in a JVM (otherwise it is a Python process). */
  public boolean jvm() {
    return jvm;
  }

  /** The kind named {@code id}; fails naming the bad value and the valid ones. */
  public static ClientKind of(String id) {
    return Labels.parse(ClientKind.class, ClientKind::id, "client", id);
  }

  @Override
  public String toString() {
    return id;
  }
}
