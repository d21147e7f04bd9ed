package dev.fanout.mock;

/** Every test of {@link TailLatencyTest}, on the Netty engine. */
class TailLatencyNettyTest extends TailLatencyTest {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
