package dev.fanout.internal;

import dev.fanout.errors.FanoutException;
import java.util.Objects;
import java.util.function.ObjIntConsumer;

/** Sets {@link FanoutException#attempts()} from the call path. Not API. */
public final class Attempts {
  private static volatile ObjIntConsumer<FanoutException> setter;

  private Attempts() {}

  /** Called once by {@link FanoutException}'s static initializer. */
  public static void install(ObjIntConsumer<FanoutException> s) {
    if (setter == null) {
      setter = Objects.requireNonNull(s);
    }
  }

  static void set(FanoutException e, int attempts) {
    setter.accept(e, attempts);
  }
}
