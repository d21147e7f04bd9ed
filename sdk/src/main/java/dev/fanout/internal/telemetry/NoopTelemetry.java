package dev.fanout.internal.telemetry;

import java.time.Duration;
import java.util.OptionalInt;
import okhttp3.Protocol;
import okhttp3.Request;

/** The telemetry that records nothing: one shared instance for every scope. */
enum NoopTelemetry implements Telemetry, Telemetry.FanoutScope, Telemetry.CallScope, Telemetry.AttemptScope {
  INSTANCE;

  @Override
  public boolean isEnabled() {
    return false;
  }

  @Override
  public FanoutScope fanoutStarted(String combinator, int size, OptionalInt bound) {
    return this;
  }

  @Override
  public CallScope callStarted(CallInfo call) {
    return this;
  }

  @Override
  public void ended(int succeeded, int failed, int cancelled, Throwable error) {}

  @Override
  public AttemptScope attemptStarted(int n) {
    return this;
  }

  @Override
  public AttemptScope hedgeSent(int n) {
    return this;
  }

  @Override
  public void governorWait(Duration waited) {}

  @Override
  public void firstChunk() {}

  @Override
  public void ended(Throwable error, GenAiResponse response) {}

  @Override
  public void inject(Request.Builder request) {}

  @Override
  public void responded(int statusCode, Protocol protocol) {}

  @Override
  public void ended(Throwable error) {}

  @Override
  public String toString() {
    return "Telemetry.noop()";
  }
}
