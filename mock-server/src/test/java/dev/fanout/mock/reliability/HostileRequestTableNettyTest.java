package dev.fanout.mock.reliability;

import dev.fanout.mock.Engine;

/** The hostile-request table against the Netty engine. */
final class HostileRequestTableNettyTest extends HostileRequestTableContract {
  @Override
  Engine engine() {
    return Engine.NETTY;
  }

  /**
   * Known gap: a request line over Netty's 4,096-character limit (the 5,000-digit user id) is answered 404
   * "no route for GET /bad-request" rather than 414/400 naming the over-long line.
   */
  @Override
  boolean isKnownGap(String path) {
    return path.length() > 4_000;
  }
}
