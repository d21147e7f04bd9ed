package dev.fanout.mock.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One meter per model, made when the model is first seen: OpenAI and Anthropic limit each model of a key on
 * its own (the rate-limit headers of a response are its model's), so calls to two models draw on two quotas.
 * At most {@link #MAX_MODELS} models get their own; past that, the others share one. Thread-safe.
 */
final class PerModel<T> {
  /** Models metered on their own; a client that names more shares one meter among the rest. */
  static final int MAX_MODELS = 256;

  private final Supplier<T> newMeter;
  private final ConcurrentHashMap<String, T> byModel = new ConcurrentHashMap<>();
  private final T rest;

  PerModel(Supplier<T> newMeter) {
    this.newMeter = newMeter;
    this.rest = newMeter.get();
  }

  /** The meter of {@code model}: its own, or the shared one once {@link #MAX_MODELS} models have theirs. */
  T forModel(String model) {
    T meter = byModel.get(model);
    if (meter != null) return meter;
    if (byModel.size() >= MAX_MODELS) return rest;
    return byModel.computeIfAbsent(model, m -> newMeter.get());
  }
}
