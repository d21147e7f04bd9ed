package dev.fanout.mock;

/** Every test of {@link RoutesTest}, on the Netty engine. */
class RoutesNettyTest extends RoutesTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
