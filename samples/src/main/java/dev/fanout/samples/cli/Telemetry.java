package dev.fanout.samples.cli;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The samples' OpenTelemetry, configured from the standard {@code OTEL_*} environment variables (and
 * {@code otel.*} system properties) by the SDK's autoconfigure module, and only when one is set: with none,
 * {@link #openTelemetry()} is empty, nothing is built and startup costs nothing.
 *
 * <p>{@code OTEL_TRACES_EXPORTER=logging-otlp} writes every span to standard error as one line of OTLP
 * JSON per batch ({@link dev.fanout.samples.otel.OtlpJsonExporters}); {@code otlp} sends to a collector at
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}. Unlike the autoconfigure defaults (OTLP for all three signals), a
 * signal whose exporter is not named exports nothing ({@code none}), so setting only
 * {@code OTEL_TRACES_EXPORTER} never makes a sample try a collector that is not there.
 *
 * <p>This object owns the SDK it built: {@link #close()} flushes and shuts it down.
 */
public final class Telemetry implements AutoCloseable {
  /** Defaults that differ from autoconfigure's: every exporter {@code none} until named. */
  static final Map<String, String> DEFAULTS = Map.of(
      "otel.traces.exporter", "none",
      "otel.metrics.exporter", "none",
      "otel.logs.exporter", "none",
      "otel.service.name", "fanout-samples");

  private final OpenTelemetrySdk sdk;

  private Telemetry(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  /** Returns the telemetry the process environment and system properties ask for. */
  public static Telemetry fromEnvironment() {
    return from(System.getenv(), System.getProperties().entrySet().stream()
        .collect(LinkedHashMap::new, (m, e) -> m.put(String.valueOf(e.getKey()), String.valueOf(e.getValue())),
            Map::putAll));
  }

  /**
   * Returns the telemetry {@code env} ({@code OTEL_*} variables) and {@code properties} ({@code otel.*})
   * ask for: disabled when neither names an {@code OTEL_}/{@code otel.} setting, or when
   * {@code OTEL_SDK_DISABLED=true}.
   */
  static Telemetry from(Map<String, String> env, Map<String, String> properties) {
    Objects.requireNonNull(env, "env == null");
    Objects.requireNonNull(properties, "properties == null");
    Map<String, String> config = new LinkedHashMap<>(DEFAULTS);
    boolean asked = false;
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith("OTEL_")) {
        config.put(e.getKey().toLowerCase(Locale.ROOT).replace('_', '.'), e.getValue());
        asked = true;
      }
    }
    for (Map.Entry<String, String> e : properties.entrySet()) {
      if (e.getKey().startsWith("otel.")) {
        config.put(e.getKey(), e.getValue());
        asked = true;
      }
    }
    if (!asked || "true".equalsIgnoreCase(config.get("otel.sdk.disabled"))) {
      return new Telemetry(null);
    }
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> config)
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
    return new Telemetry(sdk);
  }

  /** Returns the OpenTelemetry to give a client, empty when no {@code OTEL_*} setting asked for one. */
  public Optional<OpenTelemetry> openTelemetry() {
    return Optional.ofNullable(sdk);
  }

  /** Flushes what is buffered and shuts the SDK down (waits up to 10 s); no-op when disabled. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return sdk == null ? "Telemetry{off}" : "Telemetry{" + sdk + "}";
  }
}
