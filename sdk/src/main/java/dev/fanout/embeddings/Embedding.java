package dev.fanout.embeddings;

import java.util.Arrays;

/** One input's vector: its {@code index} in the request's input list and the {@code float32} values. Immutable. */
public final class Embedding {
  private final int index;
  private final float[] vector;

  private Embedding(int index, float[] vector) {
    this.index = index;
    this.vector = vector;
  }

  /** Returns an embedding of {@code vector} (copied) for input {@code index}; for tests and replays. */
  public static Embedding of(int index, float[] vector) {
    if (index < 0) {
      throw new IllegalArgumentException("index < 0: " + index);
    }
    if (vector == null) {
      throw new IllegalArgumentException("vector == null");
    }
    return new Embedding(index, vector.clone());
  }

  static Embedding wrap(int index, float[] vector) {
    return new Embedding(index, vector);
  }

  /** Returns the position of the input this vector belongs to. */
  public int index() {
    return index;
  }

  /** Returns a copy of the vector. */
  public float[] vector() {
    return vector.clone();
  }

  /** Returns the vector's length. */
  public int dimensions() {
    return vector.length;
  }

  /** Returns component {@code i} of the vector, without copying it. */
  public float get(int i) {
    return vector[i];
  }

  /** Returns the cosine similarity of this vector and {@code other}'s, in [-1, 1]; 0 if either is all zeros. */
  public double cosine(Embedding other) {
    if (other.vector.length != vector.length) {
      throw new IllegalArgumentException(
          "dimensions differ: " + vector.length + " and " + other.vector.length);
    }
    double dot = 0;
    double a = 0;
    double b = 0;
    for (int i = 0; i < vector.length; i++) {
      dot += (double) vector[i] * other.vector[i];
      a += (double) vector[i] * vector[i];
      b += (double) other.vector[i] * other.vector[i];
    }
    return a == 0 || b == 0 ? 0 : dot / Math.sqrt(a * b);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Embedding e && index == e.index && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return 31 * index + Arrays.hashCode(vector);
  }

  @Override
  public String toString() {
    return "Embedding{index=" + index + ", dimensions=" + vector.length + '}';
  }
}
