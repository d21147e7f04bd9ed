package dev.fanout.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import okhttp3.Connection;

/**
 * What a server's HTTP/2 {@code SETTINGS} said about its stream limit, read from OkHttp's connection.
 *
 * <p>OkHttp keeps a connection's stream limit as "no limit" both before the server's {@code SETTINGS} arrive
 * and after {@code SETTINGS} that announce none, so its limit alone cannot tell "not known yet" from "the
 * server has no limit" (RFC 9113 §6.5.2: initially there is no limit). The settings OkHttp has applied can:
 * until the first {@code SETTINGS} frame is applied they are OkHttp's shared defaults, after it a copy. That
 * needs OkHttp's internals, reached once by method handles; where they are not reachable (OkHttp on the
 * module path, or another version) {@link #maxConcurrentStreams} answers {@link #UNKNOWN} and the caller
 * waits as it would without it.
 */
final class PeerSettings {
  /** The server's {@code SETTINGS} are not applied yet, or cannot be read here. */
  static final int UNKNOWN = -1;
  /** The server's {@code SETTINGS} are applied and announce no stream limit. */
  static final int NONE_ANNOUNCED = Integer.MAX_VALUE;

  private static final MethodHandle HTTP2_CONNECTION;
  private static final MethodHandle PEER_SETTINGS;
  private static final MethodHandle MAX_CONCURRENT_STREAMS;
  private static final Object DEFAULT_SETTINGS;
  private static final MethodHandle OPEN_STREAMS;

  static {
    MethodHandle http2 = null;
    MethodHandle peer = null;
    MethodHandle max = null;
    Object defaults = null;
    MethodHandle open = null;
    try {
      Class<?> real = Class.forName("okhttp3.internal.connection.RealConnection");
      Class<?> connection = Class.forName("okhttp3.internal.http2.Http2Connection");
      Class<?> settings = Class.forName("okhttp3.internal.http2.Settings");
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(real, MethodHandles.lookup());
      http2 = lookup.findGetter(real, "http2Connection", connection)
          .asType(MethodType.methodType(Object.class, Connection.class));
      peer = MethodHandles.publicLookup().findVirtual(connection, "getPeerSettings", MethodType.methodType(settings))
          .asType(MethodType.methodType(Object.class, Object.class));
      max = MethodHandles.publicLookup()
          .findVirtual(settings, "getMaxConcurrentStreams", MethodType.methodType(int.class))
          .asType(MethodType.methodType(int.class, Object.class));
      Object companion = connection.getField("Companion").get(null);
      defaults = companion.getClass().getMethod("getDEFAULT_SETTINGS").invoke(companion);
      open = MethodHandles.publicLookup().findVirtual(connection, "openStreamCount", MethodType.methodType(int.class))
          .asType(MethodType.methodType(int.class, Object.class));
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      HttpEngine.LOG.debug("OkHttp's HTTP/2 settings are not readable here ({}); a new connection's stream limit "
          + "is waited for", e.toString());
      http2 = null;
    }
    HTTP2_CONNECTION = http2;
    PEER_SETTINGS = peer;
    MAX_CONCURRENT_STREAMS = max;
    DEFAULT_SETTINGS = defaults;
    OPEN_STREAMS = open;
  }

  private PeerSettings() {}

  /**
   * The server's {@code SETTINGS_MAX_CONCURRENT_STREAMS} on {@code connection} as OkHttp applied it;
   * {@link #NONE_ANNOUNCED} if its {@code SETTINGS} announce none; {@link #UNKNOWN} before they are applied,
   * for a connection that is not HTTP/2, or where OkHttp's internals cannot be read.
   */
  static int maxConcurrentStreams(Connection connection) {
    if (HTTP2_CONNECTION == null) return UNKNOWN;
    try {
      Object http2 = HTTP2_CONNECTION.invokeExact(connection);
      if (http2 == null) return UNKNOWN;
      Object settings = PEER_SETTINGS.invokeExact(http2);
      if (settings == DEFAULT_SETTINGS) return UNKNOWN; // no SETTINGS frame applied yet
      return (int) MAX_CONCURRENT_STREAMS.invokeExact(settings);
    } catch (Throwable e) {
      return UNKNOWN;
    }
  }

  /**
   * The streams open on {@code connection}, HTTP/2, as OkHttp counts them (a finished stream is removed a moment
   * after its caller could read the end of it); -1 for a connection that is not HTTP/2 or where OkHttp's
   * internals cannot be read.
   */
  static int openStreams(Connection connection) {
    if (HTTP2_CONNECTION == null || OPEN_STREAMS == null) return -1;
    try {
      Object http2 = HTTP2_CONNECTION.invokeExact(connection);
      return http2 == null ? -1 : (int) OPEN_STREAMS.invokeExact(http2);
    } catch (Throwable e) {
      return -1;
    }
  }
}
