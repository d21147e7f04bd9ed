package dev.fanout.mock;

/** Every test of {@link Http2Test}, on the Netty engine. */
class Http2NettyTest extends Http2Test {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
