package dev.fanout.embeddings;

/**
 * How the server writes vectors on the wire ({@code encoding_format}). Either way the SDK hands out
 * {@code float[]}: {@link #BASE64} is only a smaller, faster transfer.
 */
public enum EncodingFormat {
  /** A JSON array of numbers. */
  FLOAT("float"),
  /** A base64 string of little-endian IEEE 754 float32 values, about a quarter of the bytes. */
  BASE64("base64");

  private final String wire;

  EncodingFormat(String wire) {
    this.wire = wire;
  }

  /** Returns OpenAI's string for this format. */
  public String wireValue() {
    return wire;
  }
}
