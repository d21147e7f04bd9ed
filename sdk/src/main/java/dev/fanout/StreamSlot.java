package dev.fanout;

/**
 * One input of a stream, pulled and started: a {@link RunSlot} (settled once, holding what a stop must
 * release) with the input itself, for the consumer's completion and the error's name.
 */
final class StreamSlot<I, T> extends RunSlot<T> {
  final I input;

  StreamSlot(long index, I input, long startNanos) {
    super(index);
    this.input = input;
    start(startNanos);
  }
}
