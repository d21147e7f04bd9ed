package dev.fanout.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachinesTest {
  @Test
  void readsTheFeatureReleaseOfARuntimeLine() {
    assertThat(Machines.javaFeature("OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)")).isEqualTo(17);
    assertThat(Machines.javaFeature("OpenJDK Runtime Environment Temurin-25.0.3+9 (build 25.0.3+9-LTS)"))
        .isEqualTo(25);
    assertThat(Machines.javaFeature("unknown (/opt/java)")).isZero();
  }
}
