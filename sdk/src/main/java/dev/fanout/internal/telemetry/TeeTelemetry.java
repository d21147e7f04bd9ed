package dev.fanout.internal.telemetry;

import java.time.Duration;
import java.util.OptionalInt;
import okhttp3.Protocol;
import okhttp3.Request;

/**
 * The telemetry that reports every hook to two others, such as a client's {@link StatsTelemetry} and its
 * OpenTelemetry: each scope is the pair of their scopes, and ends both once. Enabled if either is.
 */
final class TeeTelemetry implements Telemetry {
  private final Telemetry first;
  private final Telemetry second;

  TeeTelemetry(Telemetry first, Telemetry second) {
    this.first = first;
    this.second = second;
  }

  @Override
  public boolean isEnabled() {
    return first.isEnabled() || second.isEnabled();
  }

  @Override
  public FanoutScope fanoutStarted(String combinator, int size, OptionalInt bound) {
    return new Fanout(first.fanoutStarted(combinator, size, bound), second.fanoutStarted(combinator, size, bound));
  }

  @Override
  public CallScope callStarted(CallInfo call) {
    return new Call(first.callStarted(call), second.callStarted(call));
  }

  @Override
  public String toString() {
    return "Telemetry.tee(" + first + ", " + second + ')';
  }

  private record Fanout(FanoutScope a, FanoutScope b) implements FanoutScope {
    @Override
    public CallScope callStarted(CallInfo call) {
      return new Call(a.callStarted(call), b.callStarted(call));
    }

    @Override
    public void ended(int succeeded, int failed, int cancelled, Throwable error) {
      a.ended(succeeded, failed, cancelled, error);
      b.ended(succeeded, failed, cancelled, error);
    }
  }

  private record Call(CallScope a, CallScope b) implements CallScope {
    @Override
    public AttemptScope attemptStarted(int n) {
      return new Attempt(a.attemptStarted(n), b.attemptStarted(n));
    }

    @Override
    public AttemptScope hedgeSent(int n) {
      return new Attempt(a.hedgeSent(n), b.hedgeSent(n));
    }

    @Override
    public void governorWait(Duration waited) {
      a.governorWait(waited);
      b.governorWait(waited);
    }

    @Override
    public void firstChunk() {
      a.firstChunk();
      b.firstChunk();
    }

    @Override
    public void ended(Throwable error, GenAiResponse response) {
      a.ended(error, response);
      b.ended(error, response);
    }
  }

  private record Attempt(AttemptScope a, AttemptScope b) implements AttemptScope {
    @Override
    public void inject(Request.Builder request) {
      a.inject(request);
      b.inject(request);
    }

    @Override
    public void responded(int statusCode, Protocol protocol) {
      a.responded(statusCode, protocol);
      b.responded(statusCode, protocol);
    }

    @Override
    public void replayed() {
      a.replayed();
      b.replayed();
    }

    @Override
    public void ended(Throwable error) {
      a.ended(error);
      b.ended(error);
    }
  }
}
