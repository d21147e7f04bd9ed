package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
final class ScriptsTest {
  @TempDir
  Path dir;

  @Test
  void copiesEachShippedScriptUnderItsOwnName() throws IOException {
    for (String resource : new String[] {Scripts.AIOHTTP_FANOUT, "/dev/fanout/bench/jobs/cookbook_jobs.py",
        "/dev/fanout/bench/jobs/openai_python_jobs.py"}) {
      Path copy = Scripts.copy(resource, dir);
      assertThat(copy.getParent()).isEqualTo(dir);
      assertThat(resource).endsWith("/" + copy.getFileName());
      assertThat(Files.readString(copy)).contains("import ");
    }
  }

  @Test
  void replacesAnEarlierCopy() throws IOException {
    Files.writeString(dir.resolve("aiohttp_fanout.py"), "stale");
    assertThat(Files.readString(Scripts.copy(Scripts.AIOHTTP_FANOUT, dir))).isNotEqualTo("stale");
  }

  @Test
  void aMissingScriptIsNamed() {
    assertThatThrownBy(() -> Scripts.copy("/dev/fanout/bench/no_such.py", dir))
        .isInstanceOf(IOException.class)
        .hasMessage("missing bench resource /dev/fanout/bench/no_such.py");
  }
}
