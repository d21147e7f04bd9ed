package dev.fanout.mock.reliability;

import dev.fanout.mock.Engine;

/** The hostile-request table against the Netty engine: the same statuses and messages as MockWebServer. */
final class HostileRequestTableNettyTest extends HostileRequestTableContract {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }
}
