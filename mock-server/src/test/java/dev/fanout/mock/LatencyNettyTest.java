package dev.fanout.mock;

/** Every test of {@link LatencyTest}, on the Netty engine. */
class LatencyNettyTest extends LatencyTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
