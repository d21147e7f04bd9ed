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

  /** Starts {@code sh -c script} and returns once it has printed "ready". */
  private static Process ready(String script) throws java.io.IOException {
    Process p = new ProcessBuilder("sh", "-c", script).start();
    assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine())
        .isEqualTo("ready");
    return p;
  }

  @Test
  void stopKillsABackendThatIgnoresSigtermOnceTheGraceIsOver() throws Exception {
    // An ignored signal stays ignored across exec, so the sleep itself ignores SIGTERM.
    Process p = ready("trap '' TERM; echo ready; exec sleep 60");

    Processes.stop(p, java.time.Duration.ofMillis(200));

    assertThat(p.isAlive()).isFalse();
    assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
  }

  @Test
  void stopEndsABackendOnSigtermWithoutKillingIt() throws Exception {
    Process p = ready("echo ready; exec sleep 60");

    Processes.stop(p, Processes.STOP_GRACE);

    assertThat(p.isAlive()).isFalse();
    assertThat(p.exitValue()).as("ended by SIGTERM").isEqualTo(128 + 15);
  }

  @Test
  void anInterruptedStopKillsAtOnceAndKeepsTheInterrupt() throws Exception {
    Process p = ready("trap '' TERM; echo ready; exec sleep 60");

    Thread.currentThread().interrupt();
    Processes.stop(p, Processes.STOP_GRACE);

    assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("killed by SIGKILL, not left to the grace").isEqualTo(128 + 9);
  }
}
