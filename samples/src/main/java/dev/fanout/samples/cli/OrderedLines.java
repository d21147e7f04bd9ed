package dev.fanout.samples.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints lines that concurrent tasks produce in a fixed order known in advance, holding back each line until
 * every line before it has been printed.
 *
 * <p>Why: {@code asyncio.gather} resumes coroutines whose timers expire together in the order they were
 * scheduled, so the source document's interleaving is deterministic. HTTP responses that arrive in the same
 * millisecond complete in any order; releasing lines in the event loop's order (by step, then by chain)
 * reproduces the document's output without changing when any call runs (a line waits at most for the few
 * milliseconds between the responses of one step).
 */
public final class OrderedLines {
  private final PrintWriter out;
  private final List<String> order;
  private final Map<String, String> pending = new HashMap<>();
  private int next;

  /** {@code order} holds every line's key in the order the lines must appear. */
  public OrderedLines(PrintWriter out, List<String> order) {
    this.out = out;
    this.order = List.copyOf(order);
  }

  /** Hands over the line of {@code key}; prints it and every held-back line it unblocks. */
  public synchronized void print(String key, String line) {
    if (!order.contains(key)) {
      throw new IllegalArgumentException("unexpected line key: " + key);
    }
    pending.put(key, line);
    while (next < order.size() && pending.containsKey(order.get(next))) {
      out.println(pending.remove(order.get(next)));
      next++;
    }
    out.flush();
  }

  /** Prints whatever is still held back (lines after a failed task's missing ones), in order. */
  public synchronized void flush() {
    for (; next < order.size(); next++) {
      String line = pending.remove(order.get(next));
      if (line != null) {
        out.println(line);
      }
    }
    out.flush();
  }
}
