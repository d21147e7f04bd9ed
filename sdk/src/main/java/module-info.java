/**
 * The Fanout SDK: a client for fanning out many latency-bound API calls at once. Exports its API packages;
 * {@code dev.fanout.internal} is not exported.
 */
module dev.fanout.sdk {
  requires transitive okhttp3;
  requires okhttp3.sse;
  requires okhttp3.tls;
  requires transitive okio;
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires dev.fanout.common;
  // OpenTelemetry is optional: only FanoutClient.Builder.openTelemetry(..) loads it.
  requires static io.opentelemetry.api;
  requires static io.opentelemetry.context;

  exports dev.fanout;
  exports dev.fanout.chat;
  exports dev.fanout.embeddings;
  exports dev.fanout.errors;
  exports dev.fanout.json;
  exports dev.fanout.messages;
  exports dev.fanout.users;
  exports dev.fanout.testing;

  opens dev.fanout.chat to com.fasterxml.jackson.databind;
  opens dev.fanout.embeddings to com.fasterxml.jackson.databind;
  opens dev.fanout.messages to com.fasterxml.jackson.databind;
  opens dev.fanout.users to com.fasterxml.jackson.databind;
}
