package dev.fanout.internal;

import dev.fanout.internal.telemetry.GenAiResponse;

/**
 * What a {@link LogicalCall.Handler} may see and do of the call whose response it reads: its label, and the
 * few facts only the handler knows (part of the result was delivered, the first chunk arrived, the tokens
 * used), and a way to stop the request it is reading. Nothing else of the call is in reach.
 */
interface AttemptContext {
  /** Returns the label used in traces and messages, such as {@code GET /users/7}. */
  String label();

  /**
   * Marks that part of the result was delivered to the caller (a streamed delta): from now on a failure is
   * final, not retried, so nothing is delivered twice.
   */
  void commit();

  /** The first chunk of a streamed response was read (time to first chunk). */
  void firstChunk();

  /** The response said which model answered, why it stopped and the tokens it used. */
  void genAiResponse(GenAiResponse response);

  /** Cancels the request being read (its reader then fails); the call decides what that means. */
  void cancelAttempt();
}
