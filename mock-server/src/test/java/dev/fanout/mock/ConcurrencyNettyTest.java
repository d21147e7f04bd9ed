package dev.fanout.mock;

/** Every test of {@link ConcurrencyTest}, on the Netty engine. */
class ConcurrencyNettyTest extends ConcurrencyTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
