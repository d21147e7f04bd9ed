package dev.fanout.mock.reliability;

import dev.fanout.mock.Engine;

/** The hostile-request table against the default engine, MockWebServer. */
final class HostileRequestTableTest extends HostileRequestTableContract {
  @Override
  Engine engine() {
    return Engine.MOCKWEBSERVER;
  }
}
