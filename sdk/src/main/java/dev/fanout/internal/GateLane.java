package dev.fanout.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import okhttp3.Dns;

/**
 * A set of a host's HTTP/2 connections that OkHttp keeps apart from the host's others, so that connections can
 * be opened at once without OkHttp merging them.
 *
 * <p>OkHttp pools connections by {@link okhttp3.Address}, which includes the {@link Dns}; a call sent with its
 * chain's {@code withDns(lane)} finds and opens connections of its lane only. Two calls that open connections
 * at once on one address race: when the second handshake ends, OkHttp finds the first connection's free streams
 * and closes the second (HTTP/2 coalescing). On two lanes neither can see the other's, so both are kept. The
 * lane looks names up with the client's own {@code Dns}.
 */
final class GateLane implements Dns {
  private final Dns dns;
  /** Calls admitted to open a connection on this lane, not yet given one (under the host's lock). */
  int opening;

  GateLane(Dns dns) {
    this.dns = dns;
  }

  @Override
  public List<InetAddress> lookup(String hostname) throws UnknownHostException {
    return dns.lookup(hostname);
  }
}
