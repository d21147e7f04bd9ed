package dev.fanout.bench.harness;

import dev.fanout.bench.ClientKind;
import dev.fanout.mock.Engine;

/**
 * One row of the benchmark: a client against a backend engine, written {@code client@engine} on the
 * command line (for example {@code fanout-h2c@netty}), or {@code client+aot@engine} for a JVM client that
 * starts from an ahead-of-time cache (JDK 25+) trained by one unmeasured run. The protocol follows from the
 * client: {@code fanout-h2c} speaks h2c with prior knowledge (and primes its one connection), every other
 * client HTTP/1.1.
 */
public record RowSpec(ClientKind client, Engine engine, boolean aot) {
  /** The suffix of a client name that asks for an AOT cache. */
  public static final String AOT = "+aot";

  public RowSpec {
    if (client == null) throw new IllegalArgumentException("client == null");
    if (engine == null) throw new IllegalArgumentException("engine == null");
    if (aot && !client.jvm()) throw new IllegalArgumentException("an AOT cache needs a JVM client: " + client + AOT);
  }

  /** A row without an AOT cache. */
  public RowSpec(ClientKind client, Engine engine) {
    this(client, engine, false);
  }

  /** Parses {@code client@engine} or {@code client+aot@engine}; fails naming the bad value. */
  public static RowSpec parse(String spec) {
    if (spec == null) throw new IllegalArgumentException("row == null");
    int at = spec.indexOf('@');
    if (at < 0) throw new IllegalArgumentException("row is not client@engine: '" + spec + "'");
    String client = spec.substring(0, at).trim();
    boolean aot = client.endsWith(AOT);
    if (aot) client = client.substring(0, client.length() - AOT.length());
    return new RowSpec(ClientKind.of(client), Engine.of(spec.substring(at + 1)), aot);
  }

  /** The row's title in tables and plots. */
  public String title() {
    return client.title() + (aot ? ", AOT cache" : "");
  }

  /** Whether the row speaks HTTP/2 cleartext with prior knowledge. */
  public boolean http2() {
    return client == ClientKind.FANOUT_H2C;
  }

  /** Whether the client opens its connection before round 1 (reported as priming). */
  public boolean prime() {
    return client == ClientKind.FANOUT_H2C;
  }

  /** {@code h2c} or {@code http/1.1}. */
  public String protocol() {
    return http2() ? "h2c" : "http/1.1";
  }

  @Override
  public String toString() {
    return client.id() + (aot ? AOT : "") + "@" + engine.id();
  }
}
