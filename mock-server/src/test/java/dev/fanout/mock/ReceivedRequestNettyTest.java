package dev.fanout.mock;

/** Every test of {@link ReceivedRequestTest}, on the Netty engine. */
class ReceivedRequestNettyTest extends ReceivedRequestTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
