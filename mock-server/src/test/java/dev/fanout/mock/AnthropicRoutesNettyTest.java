package dev.fanout.mock;

/** Every test of {@link AnthropicRoutesTest}, on the Netty engine. */
class AnthropicRoutesNettyTest extends AnthropicRoutesTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
