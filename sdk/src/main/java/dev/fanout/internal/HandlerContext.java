package dev.fanout.internal;

import dev.fanout.internal.telemetry.GenAiResponse;

/**
 * The {@link AttemptContext} a call's {@link LogicalCall.Handler} gets: an object of its own, not the call, so a
 * handler reaches only what the interface offers. It keeps what the handler says (part of the result was
 * delivered, the GenAI response) for the call to read, tells the first chunk to the call's
 * {@link CallEvents}, and cancels the request being read through the call.
 */
final class HandlerContext implements AttemptContext {
  private final String label;
  private final CallEvents events;
  private final Runnable cancelAttempt;
  private volatile boolean committed;
  private volatile GenAiResponse genAiResponse;

  HandlerContext(String label, CallEvents events, Runnable cancelAttempt) {
    this.label = label;
    this.events = events;
    this.cancelAttempt = cancelAttempt;
  }

  @Override
  public String label() {
    return label;
  }

  @Override
  public void commit() {
    committed = true;
  }

  /** True once part of the result was delivered: a failure is then final. */
  boolean committed() {
    return committed;
  }

  @Override
  public void firstChunk() {
    events.firstChunk();
  }

  @Override
  public void genAiResponse(GenAiResponse response) {
    genAiResponse = response;
  }

  /** What the handler reported of a GenAI response (model, finish reasons, tokens); null if none. */
  GenAiResponse genAiResponse() {
    return genAiResponse;
  }

  @Override
  public void cancelAttempt() {
    cancelAttempt.run();
  }

  @Override
  public String toString() {
    return "AttemptContext{" + label + '}';
  }
}
