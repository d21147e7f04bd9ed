package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ProcFilesTest {
  @TempDir
  Path dir;

  @Test
  void readsTheNumberOnTheKeysLine() throws IOException {
    Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nVmHWM:\t  123456 kB\nVmRSS:\t   98765 kB\n");
    assertThat(ProcFiles.number(status, "VmRSS:")).isEqualTo(OptionalLong.of(98765));
    assertThat(ProcFiles.number(status, "VmHWM:")).isEqualTo(OptionalLong.of(123456));
  }

  @Test
  void emptyWhereTheLineTheNumberOrTheFileIsMissing() throws IOException {
    Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\n");
    assertThat(ProcFiles.number(status, "VmRSS:")).isEmpty();
    assertThat(ProcFiles.number(status, "Name:")).isEmpty();
    assertThat(ProcFiles.number(dir.resolve("gone"), "VmRSS:")).isEmpty();
  }
}
