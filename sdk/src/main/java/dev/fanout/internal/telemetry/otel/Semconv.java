package dev.fanout.internal.telemetry.otel;

import dev.fanout.internal.Redaction;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.List;
import java.util.Set;
import okhttp3.HttpUrl;
import okhttp3.Protocol;

/**
 * The attribute keys we emit, spelled as OpenTelemetry's semantic conventions publish them (HTTP client,
 * GenAI), plus the {@code fanout.*} ones for what no convention covers. Kept here rather than taken from
 * {@code opentelemetry-semconv} so that the SDK needs {@code opentelemetry-api} alone.
 */
final class Semconv {
  private Semconv() {}

  // HTTP client (stable)
  static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> HTTP_REQUEST_METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
  static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<Long> HTTP_REQUEST_RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> NETWORK_PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");

  // GenAI (development)
  static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> GEN_AI_PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<Long> GEN_AI_REQUEST_MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Double> GEN_AI_REQUEST_TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
  static final AttributeKey<Boolean> GEN_AI_REQUEST_STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
  static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<String> GEN_AI_RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
  static final AttributeKey<List<String>> GEN_AI_RESPONSE_FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_creation.input_tokens");
  static final AttributeKey<Long> GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  static final AttributeKey<Double> GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK =
      AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk");
  static final AttributeKey<String> GEN_AI_TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");

  // Fanout's own
  static final AttributeKey<String> FANOUT_COMBINATOR = AttributeKey.stringKey("fanout.combinator");
  static final AttributeKey<Long> FANOUT_SIZE = AttributeKey.longKey("fanout.size");
  static final AttributeKey<Long> FANOUT_BOUND = AttributeKey.longKey("fanout.bound");
  static final AttributeKey<Long> FANOUT_SUCCEEDED = AttributeKey.longKey("fanout.calls.succeeded");
  static final AttributeKey<Long> FANOUT_FAILED = AttributeKey.longKey("fanout.calls.failed");
  static final AttributeKey<Long> FANOUT_CANCELLED = AttributeKey.longKey("fanout.calls.cancelled");
  static final AttributeKey<Long> FANOUT_CALL_ATTEMPTS = AttributeKey.longKey("fanout.call.attempts");
  static final AttributeKey<Boolean> FANOUT_ATTEMPT_HEDGE = AttributeKey.booleanKey("fanout.attempt.hedge");
  static final AttributeKey<Long> FANOUT_ATTEMPT = AttributeKey.longKey("fanout.attempt");
  static final AttributeKey<Double> FANOUT_GOVERNOR_WAIT = AttributeKey.doubleKey("fanout.governor.wait.duration");

  static final String EVENT_GOVERNOR_WAIT = "fanout.governor.wait";
  static final String EVENT_HEDGE = "fanout.hedge";
  static final String EVENT_REPLAY = "fanout.replay";
  static final String EVENT_FIRST_CHUNK = "fanout.first_chunk";

  static final String OTHER = "_OTHER";
  static final String REDACTED = "REDACTED";

  private static final Set<String> KNOWN_METHODS =
      Set.of("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE");

  /**
   * Returns {@code http.request.method}: the method if the conventions know it, otherwise {@code _OTHER}.
   * Methods are case-sensitive, so {@code get} is {@code _OTHER}, as the conventions ask.
   */
  static String method(String method) {
    return KNOWN_METHODS.contains(method) ? method : OTHER;
  }

  /** Adds {@code http.request.method} (and {@code method_original} for an unknown one). */
  static void putMethod(AttributesBuilder b, String method) {
    String m = method(method);
    b.put(HTTP_REQUEST_METHOD, m);
    if (m.equals(OTHER)) {
      b.put(HTTP_REQUEST_METHOD_ORIGINAL, method);
    }
  }

  /** Returns {@code server.address} and {@code server.port} of {@code url}. */
  static Attributes server(HttpUrl url) {
    return Attributes.of(SERVER_ADDRESS, url.host(), SERVER_PORT, (long) url.port());
  }

  /**
   * Returns {@code url.full}: user info replaced by {@code REDACTED:REDACTED} and the values of sensitive
   * query parameters (keys, tokens, signatures: the SDK's one rule, {@link Redaction#isSensitive}) by
   * {@code REDACTED}, as the HTTP conventions ask.
   */
  static String urlFull(HttpUrl url) {
    HttpUrl.Builder b = url.newBuilder();
    if (!url.username().isEmpty() || !url.password().isEmpty()) {
      b.username(REDACTED).password(REDACTED);
    }
    if (url.querySize() > 0) {
      b.query(null);
      for (int i = 0; i < url.querySize(); i++) {
        String name = url.queryParameterName(i);
        String value = url.queryParameterValue(i);
        b.addQueryParameter(name, value != null && Redaction.isSensitive(name) ? REDACTED : value);
      }
    }
    return b.build().toString();
  }

  /**
   * Returns {@code network.protocol.version} of {@code protocol} ({@code 1.1}, {@code 2}, ...), or null if
   * unknown: then the attribute is left out, as the conventions ask. SPDY and the QUIC draft are not HTTP
   * versions the conventions name (they would need {@code network.protocol.name}): left out too.
   */
  static String protocolVersion(Protocol protocol) {
    if (protocol == null) {
      return null;
    }
    switch (protocol) {
      case HTTP_1_0:
        return "1.0";
      case HTTP_1_1:
        return "1.1";
      case HTTP_2:
      case H2_PRIOR_KNOWLEDGE:
        return "2";
      case HTTP_3:
        return "3";
      default:
        return null;
    }
  }

  /**
   * Sets status {@code ERROR}, described by {@code errorType} unless that is the response's status code
   * {@code statusCode}: the HTTP conventions leave the description out when the status code says it.
   */
  static void setError(Span span, String errorType, int statusCode) {
    if (errorType.equals(Integer.toString(statusCode))) {
      span.setStatus(StatusCode.ERROR);
    } else {
      span.setStatus(StatusCode.ERROR, errorType);
    }
  }

  /** Returns the HTTP client span name: the method, or {@code HTTP} for an unknown one. */
  static String httpSpanName(String method) {
    String m = method(method);
    return m.equals(OTHER) ? "HTTP" : m;
  }
}
