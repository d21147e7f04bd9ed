package dev.fanout.mock.internal;

import dev.fanout.mock.MockTls;
import java.time.Duration;
import java.util.Optional;

/**
 * What a {@code MockBackend} asks of its engine's sockets, validated by the backend's builder (latency
 * and faults are the backend's {@link Decider}'s). {@code idleTimeout} zero means connections are never
 * closed for being idle. With {@code tls}, connections are HTTPS and HTTP/2 or HTTP/1.1 is chosen by ALPN.
 * {@code maxConcurrentStreams} is the HTTP/2 {@code SETTINGS_MAX_CONCURRENT_STREAMS} the server announces
 * (the Netty engine only). Over HTTP/2 (the Netty engine only), the first {@code refusedStreams} streams the
 * server receives, counted over all connections, are refused unprocessed ({@code RST_STREAM REFUSED_STREAM}),
 * and each connection with {@code goAwayAfterStreams} above zero processes that many streams, then answers the
 * next with {@code GOAWAY} naming the last one processed, and answers those.
 */
public record ServerConfig(
    String host,
    int port,
    int backlog,
    long maxBodyBytes,
    boolean http2PriorKnowledge,
    Duration idleTimeout,
    Optional<MockTls> tls,
    long maxConcurrentStreams,
    long refusedStreams,
    int goAwayAfterStreams) {}
