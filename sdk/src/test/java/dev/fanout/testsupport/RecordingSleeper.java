package dev.fanout.testsupport;

import dev.fanout.Sleeper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A sleeper that records every requested wait and completes it at once. */
public final class RecordingSleeper implements Sleeper {
  private final List<Duration> waits = new CopyOnWriteArrayList<>();

  @Override
  public CompletableFuture<Void> sleep(Duration duration) {
    waits.add(duration);
    return CompletableFuture.completedFuture(null);
  }

  public List<Duration> waits() {
    return List.copyOf(waits);
  }
}
