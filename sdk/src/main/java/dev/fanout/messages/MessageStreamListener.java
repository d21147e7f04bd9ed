package dev.fanout.messages;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Receives a streamed message as it arrives: text pieces, thinking, citations and tool-input fragments, per
 * content block. Every method has an empty default; override the ones you need. Pass it to
 * {@link MessagesService#streamAsync(MessageRequest, MessageStreamListener)}.
 *
 * <h2>Callbacks must return quickly and must not block.</h2>
 * They run on one OkHttp thread at a time, in the order the server sent the events. An exception thrown by
 * a callback ends the stream and fails its future with {@link dev.fanout.errors.DecodeException} (the
 * exception as its cause).
 */
public interface MessageStreamListener {
  /** A content block starts ({@code content_block_start}): text, tool use (its input still empty), .... */
  default void onBlockStart(int index, ContentBlock block) {}

  /** Receives the next non-empty piece of text block {@code index} ({@code text_delta}). */
  default void onText(int index, String text) {}

  /** Receives the next fragment of tool use {@code index}'s input JSON ({@code input_json_delta}). */
  default void onToolInputDelta(int index, String partialJson) {}

  /** Receives the next non-empty piece of thinking block {@code index}'s reasoning ({@code thinking_delta}). */
  default void onThinking(int index, String thinking) {}

  /**
   * Receives the next citation of text block {@code index} ({@code citations_delta}), in its wire form such as
   * {@code {"type":"char_location","cited_text":...}}.
   */
  default void onCitation(int index, JsonNode citation) {}

  /** Content block {@code index} is complete ({@code content_block_stop}); {@code block} as assembled. */
  default void onBlockStop(int index, ContentBlock block) {}

  /** The stop reason arrived ({@code message_delta}). */
  default void onStop(StopReason reason) {}
}
