package dev.fanout.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** How the benchmark's commands end their Markdown reports: the notes under a table, the file and the echo. */
public final class Markdown {
  private Markdown() {}

  /** Appends a blank line, then each of {@code notes} as a list item ({@code - note}). */
  public static void appendNotes(StringBuilder md, List<String> notes) {
    md.append('\n');
    for (String note : notes) {
      md.append("- ").append(note).append('\n');
    }
  }

  /** Writes {@code md} to {@code file} (UTF-8), then prints it on standard output after a blank line. */
  public static void writeAndPrint(Path file, CharSequence md) throws IOException {
    Files.writeString(file, md, StandardCharsets.UTF_8);
    System.out.println();
    System.out.print(md);
  }
}
