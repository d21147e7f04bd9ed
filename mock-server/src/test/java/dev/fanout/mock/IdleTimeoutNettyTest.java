package dev.fanout.mock;

/** Every test of {@link IdleTimeoutTest}, on the Netty engine. */
class IdleTimeoutNettyTest extends IdleTimeoutTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
