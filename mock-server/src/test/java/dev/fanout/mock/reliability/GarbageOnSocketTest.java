package dev.fanout.mock.reliability;

import dev.fanout.mock.Engine;

/** Garbage on the socket against the default engine, MockWebServer. */
final class GarbageOnSocketTest extends GarbageOnSocketContract {
  @Override
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }
}
