package dev.fanout.testsupport;

import java.util.List;
import java.util.Map;

/** Finds threads spinning inside OkHttp's SSE reader (what a lone-{@code \r} stream does to it). */
public final class SseThreads {
  private SseThreads() {}

  /** Returns the names of the RUNNABLE threads with OkHttp's {@code ServerSentEventReader} on their stack. */
  public static List<String> readersRunning() {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getState() == Thread.State.RUNNABLE)
        .filter(e -> List.of(e.getValue()).stream().anyMatch(f -> f.getClassName().contains("ServerSentEventReader")))
        .map(Map.Entry::getKey).map(Thread::getName).toList();
  }
}
