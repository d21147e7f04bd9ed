package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class ChildJvmsTest {
  @Test
  void aGivenLauncherIsUsedAndWithoutOneThisJvmsOwn() {
    assertThat(ChildJvms.launcher("/opt/jdk-21/bin/java")).isEqualTo("/opt/jdk-21/bin/java");
    String own = ChildJvms.launcher(null);
    assertThat(own).isEqualTo(ProcessHandle.current().info().command().orElse("java"));
    assertThat(own).endsWith("java");
  }

  @Test
  void theClasspathHasOnlyAbsoluteEntries() {
    assertThat(ChildJvms.classpath().split(File.pathSeparator)).allMatch(e -> new File(e).isAbsolute());
  }
}
