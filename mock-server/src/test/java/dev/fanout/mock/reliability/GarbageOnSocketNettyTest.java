package dev.fanout.mock.reliability;

import dev.fanout.mock.Engine;

/** Garbage on the socket against the Netty engine. */
final class GarbageOnSocketNettyTest extends GarbageOnSocketContract {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
