package dev.fanout.mock;

/** Every test of {@link FaultsTest}, on the Netty engine. */
class FaultsNettyTest extends FaultsTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
