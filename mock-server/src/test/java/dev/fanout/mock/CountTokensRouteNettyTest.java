package dev.fanout.mock;

/** Every test of {@link CountTokensRouteTest}, on the Netty engine. */
class CountTokensRouteNettyTest extends CountTokensRouteTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
