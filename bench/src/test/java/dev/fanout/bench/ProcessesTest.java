package dev.fanout.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ProcessesTest {

  @Test
  void listeningUrlSkipsEarlierLinesAndEndsInASlash() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "echo starting; echo 'Listening on http://127.0.0.1:8080'; echo more")
        .start();
    assertThat(Processes.listeningUrl(p, "the mock")).isEqualTo("http://127.0.0.1:8080/");
    p.waitFor();
  }

  @Test
  void listeningUrlNamesTheBackendThatNeverListened() throws Exception {
    Process p = new ProcessBuilder("sh", "-c", "echo failed to bind").start();
    assertThatThrownBy(() -> Processes.listeningUrl(p, "the mock"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the mock printed no 'Listening on' line");
    p.waitFor();
  }

  @Test
  void outputIfOkIsTheTrimmedOutputOfACommandThatExitedZero() {
    assertThat(Processes.outputIfOk("sh", "-c", "echo ' v1.2 '; echo warn >&2")).isEqualTo("v1.2 \nwarn");
    assertThat(Processes.outputIfOk("sh", "-c", "echo no; exit 3")).isNull();
    assertThat(Processes.outputIfOk("/no/such/command")).isNull();
  }
}
