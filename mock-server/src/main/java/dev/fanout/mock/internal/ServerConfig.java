package dev.fanout.mock.internal;

import dev.fanout.mock.Faults;
import dev.fanout.mock.Latency;
import java.time.Duration;

/**
 * What a {@code MockBackend} asks of its engine, validated by the backend's builder. {@code idleTimeout}
 * zero means connections are never closed for being idle.
 */
public record ServerConfig(
    String host,
    int port,
    int backlog,
    long maxBodyBytes,
    boolean http2PriorKnowledge,
    Duration idleTimeout,
    Latency latency,
    Faults faults) {}
