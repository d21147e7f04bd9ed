package dev.fanout.mock.internal;

import java.time.Duration;

/**
 * What a {@code MockBackend} asks of its engine's sockets, validated by the backend's builder (latency
 * and faults are the backend's {@link Decider}'s). {@code idleTimeout} zero means connections are never
 * closed for being idle.
 */
public record ServerConfig(
    String host,
    int port,
    int backlog,
    long maxBodyBytes,
    boolean http2PriorKnowledge,
    Duration idleTimeout) {}
