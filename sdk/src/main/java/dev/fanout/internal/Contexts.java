package dev.fanout.internal;

import dev.fanout.FanoutContext;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The SDK's side of {@link FanoutContext}: its {@link CallScope} and the thread-local current context. Not
 * API; {@link FanoutContext} installs the accessor when its class initializes.
 */
public final class Contexts {
  private static final ThreadLocal<FanoutContext> CURRENT = new ThreadLocal<>();
  private static volatile Function<FanoutContext, CallScope> scopeOf;

  private Contexts() {}

  /** Called once by {@link FanoutContext}'s static initializer. */
  public static void install(Function<FanoutContext, CallScope> accessor) {
    if (scopeOf != null) {
      throw new IllegalStateException("already installed");
    }
    scopeOf = Objects.requireNonNull(accessor);
  }

  /** Returns the scope of {@code context}, null for {@link FanoutContext#none()}. */
  public static CallScope scope(FanoutContext context) {
    return scopeOf.apply(context);
  }

  /** Returns the context installed on this thread, or null. */
  public static FanoutContext currentOrNull() {
    return CURRENT.get();
  }

  /** Runs {@code body} with {@code context} as this thread's current context, restoring the previous one. */
  public static <V> V runIn(FanoutContext context, Supplier<V> body) {
    FanoutContext previous = CURRENT.get();
    CURRENT.set(context);
    try {
      return body.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }
}
