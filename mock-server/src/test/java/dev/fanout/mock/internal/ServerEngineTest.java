package dev.fanout.mock.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

/** The error a server that cannot bind gives: where, and why in words. */
final class ServerEngineTest {
  @Test
  void anUnresolvableHostSaysSoNotOnlyTheHostAgain() {
    // what InetAddress.getByName("256.1.1.1") throws: the message is the host itself
    UncheckedIOException e = ServerEngine.bindFailure("256.1.1.1", 8080, new UnknownHostException("256.1.1.1"));

    assertThat(e).hasMessage("cannot bind 256.1.1.1:8080: not an IP address or a host name this machine resolves");
    assertThat(e.getCause()).isInstanceOf(UnknownHostException.class);
  }

  @Test
  void nettysUnresolvedAddressSaysSoToo() {
    UncheckedIOException e = ServerEngine.bindFailure("256.1.1.1", 0, new UnresolvedAddressException());

    assertThat(e).hasMessage("cannot bind 256.1.1.1:0: not an IP address or a host name this machine resolves");
  }

  @Test
  void aPortInUseKeepsTheSystemsReason() {
    UncheckedIOException e = ServerEngine.bindFailure("127.0.0.1", 8080, new BindException("Address already in use"));

    assertThat(e).hasMessage("cannot bind 127.0.0.1:8080: Address already in use");
  }

  @Test
  void anUncheckedFailureIsWrappedWithItsMessage() {
    // Netty rethrows a bind failure unchecked
    UncheckedIOException e = ServerEngine.bindFailure("::1", 0, new IllegalStateException("no route"));

    assertThat(e).hasMessage("cannot bind ::1:0: no route");
    assertThat(e.getCause()).hasCauseInstanceOf(IllegalStateException.class);
  }
}
