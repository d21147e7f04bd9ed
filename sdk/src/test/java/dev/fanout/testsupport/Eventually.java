package dev.fanout.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for what another thread makes true: a condition polled every 2 ms, failing after 10 s. */
public final class Eventually {
  private Eventually() {}

  public static void eventually(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not reached within 10 s").isLessThan(end);
      Thread.sleep(2);
    }
  }
}
