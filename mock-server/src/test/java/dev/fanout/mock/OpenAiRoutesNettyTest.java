package dev.fanout.mock;

/** Every test of {@link OpenAiRoutesTest}, on the Netty engine. */
class OpenAiRoutesNettyTest extends OpenAiRoutesTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
