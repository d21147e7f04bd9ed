package dev.fanout;

/**
 * How a run's settled inputs ended, one count per {@link Outcome.Kind}: a fan-out's, a scope's and a
 * stream's books count each input here, once, when {@link RunSlot#settle} accepts its outcome. Not
 * thread-safe: its owner's lock guards it.
 */
final class OutcomeCounts {
  private long succeeded;
  private long failed;
  private long timedOut;
  private long cancelled;

  /** Counts one more input that ended as {@code kind}. */
  void count(Outcome.Kind kind) {
    switch (kind) {
      case SUCCEEDED:
        succeeded++;
        break;
      case TIMED_OUT:
        timedOut++;
        break;
      case CANCELLED:
        cancelled++;
        break;
      case FAILED:
        failed++;
        break;
      default:
        throw new IllegalArgumentException("not an ending: " + kind);
    }
  }

  long settled() {
    return succeeded + failed + timedOut + cancelled;
  }

  long succeeded() {
    return succeeded;
  }

  /** Inputs that ended any other way than with a value: failed, timed out or cancelled. */
  long unsucceeded() {
    return failed + timedOut + cancelled;
  }

  long failed() {
    return failed;
  }

  long timedOut() {
    return timedOut;
  }

  long cancelled() {
    return cancelled;
  }

  OutcomeCounts copy() {
    OutcomeCounts c = new OutcomeCounts();
    c.succeeded = succeeded;
    c.failed = failed;
    c.timedOut = timedOut;
    c.cancelled = cancelled;
    return c;
  }
}
