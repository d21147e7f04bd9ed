package dev.fanout.internal;

import java.io.IOException;

/**
 * A redacted copy of an exception: prints as the original class's name and the redacted message, keeps the
 * original's stack trace, and stays an {@link IOException} when the original was one.
 */
final class RedactedCopy {
  private RedactedCopy() {}

  static Throwable of(Throwable original, String redactedMessage, Throwable redactedCause) {
    String className = original.getClass().getName();
    Throwable copy = original instanceof IOException
        ? new AsIOException(className, redactedMessage, redactedCause)
        : new AsException(className, redactedMessage, redactedCause);
    copy.setStackTrace(original.getStackTrace());
    return copy;
  }

  private static String describe(String className, String message) {
    return message == null ? className : className + ": " + message;
  }

  private static final class AsIOException extends IOException {
    private final String className;

    AsIOException(String className, String message, Throwable cause) {
      super(message, cause);
      this.className = className;
    }

    @Override
    public String toString() {
      return describe(className, getMessage());
    }
  }

  private static final class AsException extends Exception {
    private final String className;

    AsException(String className, String message, Throwable cause) {
      super(message, cause);
      this.className = className;
    }

    @Override
    public String toString() {
      return describe(className, getMessage());
    }
  }
}
