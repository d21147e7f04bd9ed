package dev.fanout.common;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file could not be read or written, in words a command line can print after the file's name.
 *
 * <p>{@code java.nio.file} exceptions carry only the path as their message ({@code Files.readString} of a
 * missing file throws {@code NoSuchFileException("/tmp/ca.pem")}), so {@code "cannot read " + file + ": " +
 * e.getMessage()} prints the path twice and no reason. {@link #reason(IOException)} says what went wrong.
 */
public final class IoErrors {
  private IoErrors() {}

  /**
   * The reason of {@code e} without the file's name: {@code no such file}, {@code permission denied},
   * {@code not a directory}, a {@link FileSystemException}'s own reason ({@code Is a directory}), else its
   * message, else its type's simple name.
   */
  public static String reason(IOException e) {
    if (e instanceof NoSuchFileException) return "no such file";
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof NotDirectoryException) return "not a directory";
    if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason();
    if (e instanceof FileSystemException) return e.getClass().getSimpleName();
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
