package dev.fanout.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.chat.ChatCompletion;
import dev.fanout.chat.ChatMessage;
import dev.fanout.chat.ChatRequest;
import dev.fanout.chat.ChatService;
import dev.fanout.errors.DecodeException;
import dev.fanout.errors.FanoutException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;

/**
 * OpenAI-compatible chat completions. Streams are read with okhttp-sse's parser
 * ({@link EventSources#processResponse}) on the attempt's own call, so a stream gets the same retries,
 * deadline, cancellation and trace as any other call.
 */
public final class ChatServiceImpl implements ChatService {
  private final HttpEngine engine;
  private final HttpUrl endpoint;

  public ChatServiceImpl(HttpEngine engine) {
    this.engine = engine;
    this.endpoint = endpoint(engine);
  }

  /** {@code v1/chat/completions} under the base URL, or {@code chat/completions} if it already ends in /v1. */
  static HttpUrl endpoint(HttpEngine engine) {
    List<String> segments = engine.baseUrl().pathSegments();
    String last = "";
    for (String s : segments) {
      if (!s.isEmpty()) {
        last = s;
      }
    }
    return engine.resolve(last.equals("v1") ? "chat/completions" : "v1/chat/completions");
  }

  @Override
  public ChatCompletion create(ChatRequest request) {
    return HttpEngine.await(createAsync(request));
  }

  @Override
  public CompletableFuture<ChatCompletion> createAsync(ChatRequest request) {
    Request http = request(request, false);
    return engine.start(
        http, JsonHandlers.of(Json.MAPPER.constructType(ChatCompletion.class), engine.maxResponseBytes()));
  }

  @Override
  public ChatCompletion stream(ChatRequest request, Consumer<String> onDelta) {
    return HttpEngine.await(streamAsync(request, onDelta));
  }

  @Override
  public CompletableFuture<ChatCompletion> streamAsync(ChatRequest request, Consumer<String> onDelta) {
    Objects.requireNonNull(onDelta, "onDelta == null");
    Request http = request(request, true).newBuilder().header("Accept", "text/event-stream").build();
    long maxBytes = engine.maxResponseBytes();
    return engine.start(http, (response, call) -> {
      StreamReader reader = new StreamReader(call, onDelta, maxBytes, Redaction.Secrets.of(response.request()));
      EventSources.processResponse(Bodies.capped(response, maxBytes, call.label()), reader);
      return reader.result();
    });
  }

  private Request request(ChatRequest request, boolean stream) {
    Objects.requireNonNull(request, "request == null");
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("model", request.model());
    body.set("messages", Json.MAPPER.valueToTree(request.messages()));
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (request.maxTokens() != null) {
      body.put("max_tokens", request.maxTokens());
    }
    for (Map.Entry<String, Object> e : request.extra().entrySet()) {
      body.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
    }
    if (stream) {
      body.put("stream", true);
    }
    byte[] bytes;
    try {
      bytes = Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("request cannot be serialized as JSON: " + e.getOriginalMessage(), e);
    }
    return engine.request("POST", endpoint, RequestBody.create(bytes, HttpEngine.JSON)).build();
  }

  /** Collects one attempt's stream: passes deltas on in order and assembles the completion. */
  private static final class StreamReader extends EventSourceListener {
    private final LogicalCall<ChatCompletion> call;
    private final Consumer<String> onDelta;
    private final long maxBytes;
    private final Redaction.Secrets secrets;
    private final StringBuilder content = new StringBuilder();
    private long bytes;
    private boolean done;
    private Throwable failure;
    private String id;
    private String model;
    private long created;
    private String role = "assistant";
    private String finishReason;
    private ChatCompletion.Usage usage;

    StreamReader(LogicalCall<ChatCompletion> call, Consumer<String> onDelta, long maxBytes, Redaction.Secrets secrets) {
      this.call = call;
      this.onDelta = onDelta;
      this.maxBytes = maxBytes;
      this.secrets = secrets;
    }

    @Override
    public void onEvent(EventSource source, String eventId, String type, String data) {
      if (done) {
        return; // anything after [DONE] is ignored
      }
      bytes += data.length();
      if (bytes > maxBytes) {
        throw new DecodeException(call.label() + ": stream exceeds maxResponseBytes " + maxBytes);
      }
      if (data.strip().equals("[DONE]")) {
        done = true;
        source.cancel(); // the stream is complete: stop reading, whatever the server does with the connection
        return;
      }
      JsonNode chunk;
      try {
        chunk = Json.MAPPER.readTree(data);
      } catch (JsonProcessingException e) {
        throw new DecodeException(call.label() + ": stream event is not JSON: " + abbreviate(data), secrets.scrub(e));
      }
      if (chunk == null || !chunk.isObject()) {
        throw new DecodeException(call.label() + ": stream event is not a JSON object: " + abbreviate(data));
      }
      if (chunk.has("error")) {
        throw new DecodeException(call.label() + ": stream carried an error: " + abbreviate(chunk.get("error").toString()));
      }
      JsonNode choices = chunk.get("choices");
      if (choices == null || !choices.isArray()) {
        throw new DecodeException(call.label() + ": stream chunk has no choices array: " + abbreviate(data));
      }
      if (id == null) {
        id = chunk.path("id").asText("");
        model = chunk.path("model").asText("");
        created = chunk.path("created").asLong(0);
      }
      JsonNode u = chunk.get("usage");
      if (u != null && u.isObject()) {
        usage = new ChatCompletion.Usage(
            u.path("prompt_tokens").asInt(), u.path("completion_tokens").asInt(), u.path("total_tokens").asInt());
      }
      for (JsonNode choice : choices) {
        if (choice.path("index").asInt(0) != 0) {
          continue;
        }
        JsonNode delta = choice.path("delta");
        if (delta.hasNonNull("role")) {
          role = delta.get("role").asText();
        }
        JsonNode text = delta.get("content");
        if (text != null && !text.isNull()) {
          if (!text.isTextual()) {
            throw new DecodeException(call.label() + ": delta content is not a string: " + abbreviate(data));
          }
          String s = text.asText();
          if (!s.isEmpty()) {
            content.append(s);
            call.commit();
            onDelta.accept(s);
          }
        }
        if (choice.hasNonNull("finish_reason")) {
          finishReason = choice.get("finish_reason").asText();
        }
      }
    }

    @Override
    public void onFailure(EventSource source, Throwable t, Response response) {
      if (done) {
        return; // after [DONE]: the cancel above, or the server closing abruptly; the completion stands
      }
      failure = t != null ? t : new DecodeException(call.label() + ": stream failed");
    }

    ChatCompletion result() throws IOException {
      if (failure instanceof IOException) {
        throw (IOException) failure;
      }
      if (failure instanceof FanoutException) {
        throw (FanoutException) failure;
      }
      if (failure != null) {
        throw new DecodeException(call.label() + ": " + secrets.redact(failure.getMessage()), secrets.scrub(failure));
      }
      if (!done) {
        throw new DecodeException(call.label() + ": stream ended without [DONE] after "
            + content.length() + " characters");
      }
      return new ChatCompletion(
          id, model, created,
          List.of(new ChatCompletion.Choice(0, new ChatMessage(role, content.toString()), finishReason)),
          usage);
    }

    /** Returns what the server sent, on one line, its credentials taken out before it is cut to 120 chars. */
    private String abbreviate(String s) {
      return secrets.excerpt(s.replaceAll("\\s+", " "), 120);
    }
  }
}
