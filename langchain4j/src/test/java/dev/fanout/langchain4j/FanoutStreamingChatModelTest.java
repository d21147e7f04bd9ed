package dev.fanout.langchain4j;

import static dev.fanout.langchain4j.OpenAiWire.body;
import static dev.fanout.langchain4j.OpenAiWire.chunk;
import static dev.fanout.langchain4j.OpenAiWire.json;
import static dev.fanout.langchain4j.OpenAiWire.sse;
import static dev.fanout.langchain4j.OpenAiWire.stream;
import static dev.fanout.langchain4j.OpenAiWire.usageChunk;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.FanoutClient;
import dev.fanout.RetryPolicy;
import dev.fanout.errors.RateLimitedException;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** FanoutStreamingChatModel against scripted OpenAI streams: deltas, tool calls, usage, errors and cancel. */
@Timeout(20)
class FanoutStreamingChatModelTest {
  private final MockWebServer server = new MockWebServer();
  private FanoutClient client;

  @BeforeEach
  void setUp() throws Exception {
    server.start();
    client = FanoutClient.builder().baseUrl(server.url("/").toString()).retryPolicy(RetryPolicy.none()).build();
  }

  @AfterEach
  void tearDown() {
    client.close();
    server.close();
  }

  private FanoutStreamingChatModel model() {
    return FanoutStreamingChatModel.builder().client(client).modelName("gpt-4o-mini").build();
  }

  /** Records every callback in order and completes {@link #done} at the terminal one. */
  static class Recorder implements StreamingChatResponseHandler {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
      events.add("text " + partial.text());
    }

    @Override
    public void onPartialToolCall(PartialToolCall call) {
      events.add("partial " + call.index() + " " + call.id() + " " + call.name() + " " + call.partialArguments());
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall call) {
      events.add("complete " + call.index() + " " + call.toolExecutionRequest().arguments());
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
      events.add("done");
      done.complete(response);
    }

    @Override
    public void onError(Throwable error) {
      events.add("error " + error.getClass().getSimpleName());
      done.completeExceptionally(error);
    }
  }

  @Test
  void textDeltasThenTheAssembledResponseWithUsage() throws Exception {
    server.enqueue(stream(sse(
        chunk("{\"role\":\"assistant\",\"content\":\"\"}", null),
        chunk("{\"content\":\"Fan\"}", null),
        chunk("{\"content\":\"-out\"}", null),
        chunk("{}", "\"stop\""),
        usageChunk())));
    Recorder handler = new Recorder();

    model().chat(ChatRequest.builder().messages(UserMessage.from("What is fan-out?")).build(), handler);
    ChatResponse response = handler.done.get(5, TimeUnit.SECONDS);

    assertThat(handler.events).containsExactly("text Fan", "text -out", "done");
    assertThat(response.aiMessage().text()).isEqualTo("Fan-out");
    assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
    assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(129);
    JsonNode sent = body(server.takeRequest(5, TimeUnit.SECONDS));
    assertThat(sent.get("stream").asBoolean()).isTrue();
    assertThat(sent.get("stream_options").get("include_usage").asBoolean()).isTrue();
  }

  @Test
  void parallelToolCallsArriveAsPartialsThenCompleteCalls() throws Exception {
    server.enqueue(stream(sse(
        chunk("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_P\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null),
        chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null),
        chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}", null),
        chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"call_O\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]}", null),
        chunk("{}", "\"tool_calls\""),
        usageChunk())));
    Recorder handler = new Recorder();

    model().chat(ChatRequest.builder().messages(UserMessage.from("Weather in Paris and Oslo?"))
        .toolSpecifications(FanoutChatModelTest.WEATHER).build(), handler);
    ChatResponse response = handler.done.get(5, TimeUnit.SECONDS);

    assertThat(handler.events).containsExactly(
        "partial 0 call_P get_weather {\"city\":",
        "partial 0 call_P get_weather \"Paris\"}",
        "complete 0 {\"city\":\"Paris\"}",
        "partial 1 call_O get_weather {\"city\":\"Oslo\"}",
        "complete 1 {\"city\":\"Oslo\"}",
        "done");
    assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    assertThat(response.aiMessage().toolExecutionRequests()).containsExactly(
        ToolExecutionRequest.builder().id("call_P").name("get_weather").arguments("{\"city\":\"Paris\"}").build(),
        ToolExecutionRequest.builder().id("call_O").name("get_weather").arguments("{\"city\":\"Oslo\"}").build());
  }

  @Test
  void anHttpErrorReachesOnErrorAsLangChain4jsType() throws Exception {
    server.enqueue(json(429, "{\"error\":{\"message\":\"Rate limit reached\"}}"));
    Recorder handler = new Recorder();
    model().chat("hi", handler);
    assertThat(handler.done).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
        .havingCause().isInstanceOf(RateLimitException.class)
        .withCauseInstanceOf(RateLimitedException.class);
    assertThat(handler.events).containsExactly("error RateLimitException");
  }

  @Test
  void aHandlerExceptionGoesToOnErrorAsInLangChain4jsModels() throws Exception {
    server.enqueue(stream(sse(chunk("{\"content\":\"A\"}", null), chunk("{}", "\"stop\""))));
    Recorder handler = new Recorder() {
      @Override
      public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        super.onPartialResponse(partial, context);
        throw new IllegalStateException("handler bug");
      }
    };
    model().chat("hi", handler);
    assertThat(handler.done).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
        .havingCause().isInstanceOf(IllegalStateException.class).withMessage("handler bug");
  }

  /**
   * Writes one text chunk, then a comment line every 20 ms until the client goes away (or 10 s pass), and
   * counts down {@link #aborted} when a write fails: the server's view of a closed stream.
   */
  static final class EndlessStream implements MockResponseBody {
    final CountDownLatch aborted = new CountDownLatch(1);
    final CountDownLatch ranOut = new CountDownLatch(1);

    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      try {
        sink.writeString("data: " + chunk("{\"content\":\"first\"}", null) + "\n\n", StandardCharsets.UTF_8);
        sink.flush();
        for (int i = 0; i < 500; i++) {
          Thread.sleep(20);
          sink.writeString(": keep-alive\n\n", StandardCharsets.UTF_8);
          sink.flush();
        }
        ranOut.countDown();
      } catch (IOException e) {
        aborted.countDown();
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void cancellingFromTheHandlerClosesTheHttpStreamAndSilencesTheHandler() throws Exception {
    EndlessStream body = new EndlessStream();
    server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(body).build());
    CountDownLatch cancelled = new CountDownLatch(1);
    Recorder handler = new Recorder() {
      @Override
      public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        super.onPartialResponse(partial, context);
        context.streamingHandle().cancel();
        assertThat(context.streamingHandle().isCancelled()).isTrue();
        cancelled.countDown();
      }
    };

    model().chat("a long answer please", handler);

    assertThat(cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(body.aborted.await(10, TimeUnit.SECONDS)).as("the server saw the stream closed").isTrue();
    assertThat(body.ranOut.getCount()).isEqualTo(1);
    assertThat(handler.events).containsExactly("text first");
    assertThat(handler.done).isNotDone();
  }
}
