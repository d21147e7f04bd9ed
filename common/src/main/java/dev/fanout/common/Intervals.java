package dev.fanout.common;

import java.util.Arrays;

/**
 * A set of time intervals and the most of them open at one instant: how many requests were in flight at
 * the peak, given when each was sent and answered. Intervals are half-open, so one that ends at the instant
 * another starts does not overlap it; an end before its start counts as the start. Not thread-safe.
 */
public final class Intervals {
  private long[] starts = new long[16];
  private long[] ends = new long[16];
  private int size;

  /** Adds the interval from {@code start} to {@code end}, in any one unit of time. */
  public void add(long start, long end) {
    if (size == starts.length) {
      starts = Arrays.copyOf(starts, size * 2);
      ends = Arrays.copyOf(ends, size * 2);
    }
    starts[size] = start;
    ends[size] = Math.max(start, end);
    size++;
  }

  /** The most intervals open at one instant; 0 if there are none. */
  public int maxOverlap() {
    long[] s = Arrays.copyOf(starts, size);
    long[] e = Arrays.copyOf(ends, size);
    Arrays.sort(s);
    Arrays.sort(e);
    int open = 0;
    int max = 0;
    for (int i = 0, j = 0; i < size; ) {
      if (j == size || s[i] < e[j]) {
        open++;
        i++;
        max = Math.max(max, open);
      } else {
        open--;
        j++;
      }
    }
    return max;
  }
}
