package dev.fanout.mock.internal;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/** The CRC-32 of a text: the stable hash the backends derive their answers from, so one input always gets one answer. */
final class Crc {
  private Crc() {}

  /** Returns the CRC-32 of {@code s}'s UTF-8 bytes. */
  static long of(String s) {
    CRC32 crc = new CRC32();
    crc.update(s.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }
}
