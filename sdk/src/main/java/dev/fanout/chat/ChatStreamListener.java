package dev.fanout.chat;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Receives a streamed completion as it arrives: text deltas and tool-call fragments, per choice. Every
 * method has an empty default; override the ones you need. Pass it to
 * {@link ChatService#streamAsync(ChatRequest, ChatStreamListener)}.
 *
 * <h2>Callbacks must return quickly and must not block.</h2>
 * They run on one OkHttp thread at a time, in the order the server sent the chunks. An exception thrown by
 * a callback ends the stream and fails its future with {@link dev.fanout.errors.DecodeException} (the
 * exception as its cause).
 */
public interface ChatStreamListener {
  /** Receives the next non-empty piece of choice {@code choiceIndex}'s text. */
  default void onContentDelta(int choiceIndex, String text) {}

  /** Receives the next fragment of a tool call; the assembled calls are in the final completion. */
  default void onToolCallDelta(ToolCallDelta delta) {}

  /** Receives the next non-empty piece of choice {@code choiceIndex}'s refusal (structured outputs). */
  default void onRefusalDelta(int choiceIndex, String text) {}

  /** Receives the finish reason of choice {@code choiceIndex} when its last chunk arrives. */
  default void onFinish(int choiceIndex, FinishReason reason) {}

  /** Returns a listener that passes the first choice's text deltas to {@code onDelta} and ignores the rest. */
  static ChatStreamListener ofContent(Consumer<String> onDelta) {
    Objects.requireNonNull(onDelta, "onDelta == null");
    return new ChatStreamListener() {
      @Override
      public void onContentDelta(int choiceIndex, String text) {
        if (choiceIndex == 0) {
          onDelta.accept(text);
        }
      }
    };
  }
}
