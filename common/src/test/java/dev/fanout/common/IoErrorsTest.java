package dev.fanout.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class IoErrorsTest {
  @TempDir Path dir;

  @Test
  void aMissingFileIsNamedAsMissingNotByItsPathAgain() {
    IOException e = catchThrowableOfType(() -> Files.readString(dir.resolve("ca.pem")), IOException.class);
    assertThat(e.getMessage()).endsWith("ca.pem");   // what the JDK says: the path, no reason
    assertThat(IoErrors.reason(e)).isEqualTo("no such file");
  }

  @Test
  void aDirectoryReadAsAFileGivesTheSystemsReason() {
    IOException e = catchThrowableOfType(() -> Files.readString(dir), IOException.class);
    assertThat(IoErrors.reason(e)).doesNotContain(dir.toString()).isNotBlank();
  }

  @Test
  void otherFailuresKeepTheirReasonOrMessage() {
    assertThat(IoErrors.reason(new AccessDeniedException("/etc/x"))).isEqualTo("permission denied");
    assertThat(IoErrors.reason(new FileSystemException("/x", null, "Read-only file system")))
        .isEqualTo("Read-only file system");
    assertThat(IoErrors.reason(new IOException("disk on fire"))).isEqualTo("disk on fire");
    assertThat(IoErrors.reason(new IOException())).isEqualTo("IOException");
  }
}
