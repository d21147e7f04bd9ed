package dev.fanout.mock;

/** Every test of {@link MeteringTest}, on the Netty engine. */
class MeteringNettyTest extends MeteringTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
