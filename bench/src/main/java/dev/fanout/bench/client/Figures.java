package dev.fanout.bench.client;

import java.util.List;
import java.util.stream.LongStream;

/** What the client processes ({@code client}, {@code tail-client}) share for their rounds: the ids, the unit. */
final class Figures {
  private Figures() {}

  /** The user ids one fan-out of {@code n} looks up: 1 to {@code n}. */
  static List<Long> userIds(int n) {
    return LongStream.rangeClosed(1, n).boxed().toList();
  }

  /** {@code nanos} in milliseconds, rounded to two decimals, as a RESULT line gives times. */
  static double millis(long nanos) {
    return Math.round(nanos / 1e4) / 100.0;
  }
}
