package dev.fanout.jobs.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A set of {@code custom_id}s held as 128-bit digests (the first half of SHA-256) in open addressing: 16
 * bytes a slot, at most 32 bytes an id, whatever the ids' length, so a million ids take about 32 MB. Two
 * different ids share a digest with a probability near 10^-27 for a million ids. Not thread-safe.
 */
public final class IdSet {
  private static final int INITIAL_CAPACITY = 1 << 10;

  private long[] high = new long[INITIAL_CAPACITY];
  private long[] low = new long[INITIAL_CAPACITY];
  private boolean[] used = new boolean[INITIAL_CAPACITY];
  private int size;
  private final MessageDigest sha;

  public IdSet() {
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Adds {@code id}; returns false if it was already in the set. */
  public boolean add(String id) {
    byte[] d = sha.digest(id.getBytes(StandardCharsets.UTF_8));
    long h = toLong(d, 0);
    long l = toLong(d, 8);
    if ((size + 1) * 4L > used.length * 3L) {
      grow();
    }
    return insert(h, l);
  }

  /** Returns whether {@code id} is in the set. */
  public boolean contains(String id) {
    byte[] d = sha.digest(id.getBytes(StandardCharsets.UTF_8));
    long h = toLong(d, 0);
    long l = toLong(d, 8);
    int mask = used.length - 1;
    for (int i = (int) h & mask; used[i]; i = (i + 1) & mask) {
      if (high[i] == h && low[i] == l) {
        return true;
      }
    }
    return false;
  }

  public int size() {
    return size;
  }

  private boolean insert(long h, long l) {
    int mask = used.length - 1;
    int i = (int) h & mask;
    while (used[i]) {
      if (high[i] == h && low[i] == l) {
        return false;
      }
      i = (i + 1) & mask;
    }
    used[i] = true;
    high[i] = h;
    low[i] = l;
    size++;
    return true;
  }

  private void grow() {
    long[] oldHigh = high;
    long[] oldLow = low;
    boolean[] oldUsed = used;
    int capacity = oldUsed.length * 2;
    high = new long[capacity];
    low = new long[capacity];
    used = new boolean[capacity];
    size = 0;
    for (int i = 0; i < oldUsed.length; i++) {
      if (oldUsed[i]) {
        insert(oldHigh[i], oldLow[i]);
      }
    }
  }

  private static long toLong(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }
}
